import { Problem } from "@devtools/contracts/problem";
import { Task, TaskIdParams } from "@devtools/contracts/task";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { retryTask } from "../../execution/task-commands.ts";
import { findTask } from "../../tasks/task-store.ts";
import type { TaskCommandDependencies } from "./cancel.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const route = createRoute({
  method: "post",
  path: "/tasks/{id}/retry",
  tags: ["tasks"],
  summary: "Run a task's failed, skipped and cancelled subtasks again",
  description:
    "Those subtasks go back to `pending` in a new generation (a new idempotency key: the agents compute them afresh), their attempts from zero; the task runs again. Subtasks that succeeded keep their results and are not sent again; their results go upstream as before.",
  request: { params: TaskIdParams },
  responses: {
    200: { description: "The task, running again", content: { "application/json": { schema: Task } } },
    400: problem("The id is not a UUID"),
    404: problem("No such task"),
    409: problem("No subtask of the task failed, was skipped or was cancelled"),
  },
});

export function retryTaskRoute({ database, notifier, execution }: TaskCommandDependencies) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await retryTask(database, id);
    if (outcome.kind === "not_found") throw new HttpError("not_found", `no task with id ${id}`);
    if (outcome.kind === "nothing") {
      throw new HttpError("conflict", `task ${id} has no failed, skipped or cancelled subtask to retry`);
    }
    notifier.notify([id]);
    execution?.wake();
    c.get("logger").info({ task_id: id, retried: outcome.subtaskIds.length }, "task retried");
    const task = await findTask(database.db, id);
    if (!task) throw new HttpError("not_found", `no task with id ${id}`);
    return c.json(task, 200);
  });
}
