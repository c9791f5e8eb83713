import type { Task } from "@devtools/contracts/task";
import type { Terminal } from "../cli/terminal.ts";
import { subtaskRow, taskHeadline } from "../progress/progress-row.ts";
import { TaskProgress } from "../progress/task-progress.ts";
import { formatCount, formatDuration, formatTimestamp, formatTokens } from "./format.ts";
import { paintStatus } from "./status-style.ts";

/** `devtools task <id>`: the task's facts, then each subtask with its summary and artifacts. */
export function renderTaskDetails(terminal: Terminal, task: Task, now: number = Date.now()): string {
  const progress = new TaskProgress(task);
  const field = (label: string, value: string) => `  ${terminal.paint("gray", label.padEnd(9))} ${value}`;
  const times = [`created ${formatTimestamp(task.created_at)}`];
  if (task.started_at) times.push(`started ${formatTimestamp(task.started_at)}`);
  if (task.finished_at) {
    const took = Date.parse(task.finished_at) - Date.parse(task.started_at ?? task.created_at);
    times.push(`finished ${formatTimestamp(task.finished_at)} (took ${formatDuration(took)})`);
  }
  const { prompt_tokens, completion_tokens } = task.usage;
  const lines = [
    `${terminal.paint("bold", `task ${task.task_id}`)}  ${paintStatus(terminal, task.status, task.status)}`,
    field("request", task.description.replace(/\s+/g, " ")),
    field(
      "priority",
      `${task.priority} · planner ${task.planner}${task.max_tokens ? ` · budget ${formatTokens(task.max_tokens)}` : ""}`,
    ),
    field("time", times.join(" · ")),
    field(
      "tokens",
      `${formatCount(task.usage.total_tokens)} (prompt ${formatCount(prompt_tokens)}, completion ${formatCount(completion_tokens)})`,
    ),
  ];
  if (task.planner_note) lines.push(field("note", task.planner_note));
  if (task.error) lines.push(field("error", paintStatus(terminal, "failed", task.error)));
  lines.push("", taskHeadline(terminal, progress, now));
  const byId = new Map(task.subtasks.map((subtask) => [subtask.id, subtask]));
  for (const row of progress.subtasks) {
    lines.push(`  ${subtaskRow(terminal, row, { now })}`);
    const result = byId.get(row.id)?.result;
    if (!result) continue;
    if (result.summary) lines.push(`      ${terminal.paint("gray", result.summary.replace(/\s+/g, " "))}`);
    for (const artifact of result.artifacts) {
      lines.push(
        `      ${terminal.paint("gray", "└")} ${artifact.path} ${terminal.paint("gray", `(${artifact.kind}, ${artifact.content.length} chars)`)}`,
      );
    }
  }
  return lines.join("\n");
}
