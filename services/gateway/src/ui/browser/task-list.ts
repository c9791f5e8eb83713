/// <reference lib="dom" />
import type { TaskPage, TaskSummary } from "@devtools/contracts/task";
import type { ApiClient } from "./api-client.ts";
import { ago, html } from "./dom.ts";

const PAGE_SIZE = 25;
const REFRESH_MS = 5_000;
const STATUSES = ["", "pending", "running", "succeeded", "failed", "partial", "cancelled"];

function row(task: TaskSummary): HTMLTableRowElement {
  const link = html("a", { href: `#/tasks/${task.task_id}` }, task.description);
  const tr = html(
    "tr",
    { class: "link", "data-task-id": task.task_id },
    html("td", {}, html("span", { class: `pill ${task.status}` }, task.status)),
    html("td", {}, link),
    html("td", {}, task.priority),
    html("td", { class: "num" }, task.subtask_count),
    html("td", { title: task.created_at }, ago(task.created_at)),
  );
  tr.addEventListener("click", (event) => {
    if (event.target !== link) location.hash = `#/tasks/${task.task_id}`;
  });
  return tr;
}

/**
 * The newest tasks, optionally of one status, refreshed every few seconds while shown; "More"
 * follows the page cursor. Runs until `signal` aborts. Errors go to `onError` (a 401 asks for a key).
 */
export function showTaskList(
  root: HTMLElement,
  api: ApiClient,
  signal: AbortSignal,
  onError: (error: unknown) => void,
) {
  const filter = html("select", { "aria-label": "Status" });
  for (const status of STATUSES) filter.append(html("option", { value: status }, status || "any status"));
  const body = html("tbody");
  const more = html("button", { type: "button", hidden: true }, "More");
  const note = html("p", { class: "muted" });
  root.append(
    html(
      "section",
      { class: "panel tasks" },
      html("h2", {}, "Tasks ", filter),
      html(
        "table",
        {},
        html(
          "thead",
          {},
          html(
            "tr",
            {},
            html("th", {}, "status"),
            html("th", {}, "request"),
            html("th", {}, "priority"),
            html("th", { class: "num" }, "subtasks"),
            html("th", {}, "created"),
          ),
        ),
        body,
      ),
      note,
      more,
    ),
  );

  let shown = PAGE_SIZE;
  let nextCursor: string | null = null;
  const query = (limit: number, cursor?: string) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (filter.value) params.set("status", filter.value);
    if (cursor) params.set("cursor", cursor);
    return `/api/orchestrator/tasks?${params}`;
  };
  // A refresh re-reads as many rows as are shown (up to the API's page limit), newest first.
  const load = async () => {
    try {
      const page = await api.json<TaskPage>(query(Math.min(shown, 100)), { signal });
      body.replaceChildren(...page.items.map(row));
      nextCursor = page.next_cursor;
      more.hidden = nextCursor === null;
      note.textContent = page.items.length === 0 ? "No tasks yet: describe one and start it." : "";
    } catch (error) {
      if (!signal.aborted) onError(error);
    }
  };
  more.addEventListener("click", async () => {
    if (!nextCursor) return;
    try {
      const page = await api.json<TaskPage>(query(PAGE_SIZE, nextCursor), { signal });
      body.append(...page.items.map(row));
      shown += page.items.length;
      nextCursor = page.next_cursor;
      more.hidden = nextCursor === null;
    } catch (error) {
      if (!signal.aborted) onError(error);
    }
  });
  filter.addEventListener("change", () => {
    shown = PAGE_SIZE;
    void load();
  });
  void load();
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void load();
  }, REFRESH_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}
