/// <reference lib="dom" />
import type { Subtask, SubtaskStatus, Task } from "@devtools/contracts/task";
import type { TaskEvent } from "@devtools/contracts/task-events";
import type { ApiClient } from "./api-client.ts";
import { artifactView } from "./artifact-viewer.ts";
import { duration, html } from "./dom.ts";
import { followTaskEvents } from "./event-stream.ts";
import { drawTaskGraph, type TaskGraph } from "./task-graph.ts";

const FINAL_TASK = new Set(["succeeded", "failed", "partial", "cancelled"]);
// Event type → the subtask status it leaves behind.
const STATUS_AFTER: Partial<Record<TaskEvent["type"], SubtaskStatus>> = {
  "subtask.running": "running",
  "subtask.succeeded": "succeeded",
  "subtask.retrying": "pending",
  "subtask.failed": "failed",
  "subtask.skipped": "skipped",
  "subtask.cancelled": "cancelled",
  "subtask.released": "pending",
};
// Events after which the stored task has something new to show (results, errors, usage).
const REFRESH_AFTER = new Set([
  "subtask.succeeded",
  "subtask.failed",
  "task.succeeded",
  "task.failed",
  "task.partial",
  "task.cancelled",
]);
const REFRESH_DELAY_MS = 150;

/** What a node says beside its status: elapsed time while running, tokens and time once done. */
function noteOf(subtask: Subtask, now: number): string | undefined {
  const started = subtask.started_at ? Date.parse(subtask.started_at) : undefined;
  if (subtask.status === "running" && started !== undefined) return duration(now - started);
  if (subtask.status === "succeeded") {
    const parts = [`${subtask.usage?.total_tokens ?? 0} tok`];
    if (started !== undefined && subtask.finished_at) parts.push(duration(Date.parse(subtask.finished_at) - started));
    return parts.join(" · ");
  }
  return undefined;
}

/**
 * A task: its facts, its routing plan as a live graph (statuses from the event stream), and the
 * selected subtask with its artifacts. Runs until `signal` aborts (the user went elsewhere).
 */
export async function showTask(root: HTMLElement, api: ApiClient, taskId: string, signal: AbortSignal): Promise<void> {
  let task = await api.json<Task>(`/api/orchestrator/tasks/${encodeURIComponent(taskId)}`, { signal });
  let selected = task.subtasks[0]?.id;
  let openArtifact: string | undefined;

  const head = html("div", { class: "task-head" });
  const graphBox = html("div", { class: "graph" });
  const detail = html("div", { class: "subtask" });
  const streamNote = html("p", { class: "muted stream-note" });
  root.replaceChildren(
    html("section", { class: "panel task", "data-task-id": task.task_id }, head, graphBox, streamNote),
    html("section", { class: "panel" }, detail),
  );

  const select = (id: string) => {
    if (id !== selected) openArtifact = undefined;
    selected = id;
    graph.select(id);
    renderDetail();
  };
  const graph: TaskGraph = drawTaskGraph(task, select);
  graphBox.append(graph.element);
  graph.select(selected);

  const paintNodes = () => {
    const now = Date.now();
    for (const subtask of task.subtasks) graph.setStatus(subtask.id, subtask.status, noteOf(subtask, now));
  };

  const renderHead = () => {
    const cancel = html("button", { type: "button", class: "cancel" }, "Cancel");
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        await api.post(`/api/orchestrator/tasks/${encodeURIComponent(taskId)}/cancel`, {});
      } catch (error) {
        streamNote.textContent = `Cancel failed: ${(error as Error).message}`;
        cancel.disabled = false;
      }
    });
    head.replaceChildren(
      html("h2", {}, task.description),
      html("span", { class: `pill ${task.status}`, "data-task-status": task.status }, task.status),
      html(
        "div",
        { class: "facts" },
        html("span", {}, `priority ${task.priority}`),
        html("span", {}, `planner ${task.planner}`),
        html("span", {}, `${task.subtasks.length} subtasks`),
        html("span", {}, `${task.usage.total_tokens} tokens`),
        task.started_at
          ? html(
              "span",
              {},
              duration(Date.parse(task.finished_at ?? new Date().toISOString()) - Date.parse(task.started_at)),
            )
          : null,
        task.error ? html("span", { class: "error" }, task.error) : null,
      ),
      ...(FINAL_TASK.has(task.status) ? [] : [cancel]),
    );
  };

  const renderDetail = () => {
    const subtask = task.subtasks.find((candidate) => candidate.id === selected);
    if (!subtask) {
      detail.replaceChildren(html("p", { class: "muted" }, "This task has no subtasks."));
      return;
    }
    const artifacts = subtask.result?.artifacts ?? [];
    const viewer = html("div", { class: "artifact-box" });
    const list = html("ul", { class: "artifacts" });
    for (const artifact of artifacts) {
      const button = html("button", { type: "button", "data-path": artifact.path }, artifact.path);
      button.addEventListener("click", () => {
        openArtifact = artifact.path;
        for (const other of list.querySelectorAll("button")) other.classList.toggle("open", other === button);
        viewer.replaceChildren(artifactView(artifact));
      });
      list.append(html("li", {}, button));
    }
    detail.replaceChildren(
      html("h2", {}, `${subtask.agent_type}`),
      html(
        "dl",
        {},
        html("dt", {}, "status"),
        html("dd", {}, html("span", { class: `pill ${subtask.status}` }, subtask.status)),
        html("dt", {}, "description"),
        html("dd", {}, subtask.description),
        html("dt", {}, "attempts"),
        html("dd", {}, subtask.attempts),
        subtask.usage ? html("dt", {}, "tokens") : null,
        subtask.usage
          ? html("dd", {}, `${subtask.usage.prompt_tokens} prompt + ${subtask.usage.completion_tokens} completion`)
          : null,
        subtask.result ? html("dt", {}, "model") : null,
        subtask.result ? html("dd", {}, subtask.result.model) : null,
        subtask.result ? html("dt", {}, "summary") : null,
        subtask.result ? html("dd", {}, subtask.result.summary) : null,
        subtask.error ? html("dt", {}, "error") : null,
        subtask.error ? html("dd", { class: "error" }, subtask.error) : null,
      ),
      html("h3", {}, `Artifacts (${artifacts.length})`),
      artifacts.length > 0 ? list : html("p", { class: "muted" }, "None yet."),
      viewer,
    );
    const reopen = artifacts.find((artifact) => artifact.path === openArtifact);
    if (reopen) list.querySelector<HTMLButtonElement>(`button[data-path="${CSS.escape(reopen.path)}"]`)?.click();
  };

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        task = await api.json<Task>(`/api/orchestrator/tasks/${encodeURIComponent(taskId)}`, { signal });
        paintNodes();
        renderHead();
        renderDetail();
      } catch (error) {
        if (!signal.aborted) streamNote.textContent = `Could not refresh the task: ${(error as Error).message}`;
      }
    }, REFRESH_DELAY_MS);
  };

  const apply = (event: TaskEvent) => {
    const status = STATUS_AFTER[event.type];
    const subtask = task.subtasks.find((candidate) => candidate.id === event.subtask_id);
    if (status && subtask) {
      subtask.status = status;
      if (status === "running") subtask.started_at ??= event.created_at;
    }
    if (event.type === "task.retrying") refresh();
    if (event.type.startsWith("task.") && event.type !== "task.retrying") {
      task.status = event.type.slice("task.".length) as Task["status"];
    }
    paintNodes();
    renderHead();
    if (event.subtask_id === selected) renderDetail();
    if (REFRESH_AFTER.has(event.type)) refresh();
  };

  paintNodes();
  renderHead();
  renderDetail();
  // Running subtasks' elapsed time moves on between events.
  const tick = setInterval(paintNodes, 1000);
  signal.addEventListener("abort", () => {
    clearInterval(tick);
    clearTimeout(refreshTimer);
  });
  streamNote.textContent = FINAL_TASK.has(task.status) ? "" : "Following the task's events…";
  try {
    await followTaskEvents(api, taskId, apply, signal);
    if (!signal.aborted) streamNote.textContent = "";
  } catch (error) {
    streamNote.textContent = `Live updates stopped: ${(error as Error).message}`;
    throw error;
  } finally {
    clearInterval(tick);
  }
}
