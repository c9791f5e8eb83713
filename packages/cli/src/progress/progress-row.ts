import type { Terminal } from "../cli/terminal.ts";
import { formatDuration, formatTokens, shortId, truncate } from "../render/format.ts";
import { paintStatus, statusIcon } from "../render/status-style.ts";
import type { SubtaskProgress, TaskProgress } from "./task-progress.ts";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const AGENT_WIDTH = "infrastructure".length;
const STATUS_WIDTH = "succeeded".length;

/** How long a subtask has run (or ran): from its first dispatch to its end, or to now while it runs. */
function elapsed(subtask: SubtaskProgress, now: number): string {
  if (subtask.startedAt === undefined) return "";
  if (subtask.finishedAt !== undefined) return formatDuration(subtask.finishedAt - subtask.startedAt);
  return subtask.status === "running" || subtask.retrying ? formatDuration(now - subtask.startedAt) : "";
}

export interface RowOptions {
  now: number;
  /** Spinner frame counter for running subtasks; undefined in plain output. */
  frame?: number | undefined;
  /** Maximum visible width; the description or note is cut to fit. */
  width?: number | undefined;
}

/** One subtask as a line: mark, agent, id, status, elapsed time, tokens, then its note or description. */
export function subtaskRow(terminal: Terminal, subtask: SubtaskProgress, { now, frame, width }: RowOptions): string {
  const status = subtask.retrying ? "retrying" : subtask.status;
  const icon =
    status === "running" && frame !== undefined ? (SPINNER[frame % SPINNER.length] ?? "") : statusIcon(status);
  const cells = [
    icon,
    subtask.agent.padEnd(AGENT_WIDTH),
    shortId(subtask.id),
    status.padEnd(STATUS_WIDTH),
    elapsed(subtask, now).padStart(7),
    (subtask.tokens === undefined ? "" : formatTokens(subtask.tokens)).padStart(14),
  ];
  const fixed = cells.join(" ");
  const tail = subtask.note ?? subtask.description;
  const rest = width === undefined ? tail.replace(/\s+/g, " ") : truncate(tail, width - fixed.length - 2);
  const painted = [
    paintStatus(terminal, status, cells[0] ?? ""),
    terminal.paint("bold", cells[1] ?? ""),
    terminal.paint("gray", cells[2] ?? ""),
    paintStatus(terminal, status, cells[3] ?? ""),
    cells[4],
    cells[5],
  ].join(" ");
  const note =
    subtask.note && (status === "failed" || status === "retrying") ? paintStatus(terminal, status, rest) : rest;
  return rest ? `${painted}  ${note}` : painted;
}

/** The task's headline: its status, subtasks done, tokens and time so far. */
export function taskHeadline(terminal: Terminal, progress: TaskProgress, now: number): string {
  const end = progress.finishedAt ?? now;
  const parts = [
    `${progress.done}/${progress.subtasks.length} done`,
    formatTokens(progress.tokens),
    ...(progress.startedAt === undefined ? [] : [formatDuration(end - progress.startedAt)]),
  ];
  const status = paintStatus(terminal, progress.status, progress.status);
  return `task ${shortId(progress.taskId)} ${status} · ${parts.join(" · ")}`;
}
