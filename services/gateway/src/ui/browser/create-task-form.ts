/// <reference lib="dom" />
import type { Task } from "@devtools/contracts/task";
import { type ApiClient, ApiError } from "./api-client.ts";
import { html } from "./dom.ts";

const PRIORITIES = ["low", "medium", "high", "critical"];

/** A form that starts a task (description, priority) and opens it; a refusal is shown under the form. */
export function createTaskForm(api: ApiClient, onError: (error: unknown) => void): HTMLElement {
  const description = html("textarea", {
    name: "description",
    required: true,
    maxlength: 20000,
    placeholder: "Deploy new API endpoint with authentication",
    "aria-label": "Request",
  });
  const priority = html("select", { name: "priority", "aria-label": "Priority" });
  for (const level of PRIORITIES)
    priority.append(html("option", { value: level, selected: level === "medium" }, level));
  const submit = html("button", { type: "submit", class: "primary" }, "Start task");
  const problem = html("p", { class: "error", role: "alert" });
  const form = html(
    "form",
    { class: "create" },
    description,
    html("div", { class: "row" }, html("label", {}, "Priority ", priority), submit),
    problem,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    problem.textContent = "";
    try {
      const task = await api.post<Task>("/api/orchestrator/orchestrate", {
        description: description.value,
        priority: priority.value,
      });
      location.hash = `#/tasks/${task.task_id}`;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) problem.textContent = error.message;
      else onError(error);
    } finally {
      submit.disabled = false;
    }
  });
  return html("section", { class: "panel" }, html("h2", {}, "New task"), form);
}
