import { Problem } from "@devtools/contracts/problem";
import { Task, TaskIdParams } from "@devtools/contracts/task";
import type { Database } from "@devtools/db/client";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { ExecutionControl } from "../../execution/engine.ts";
import type { TaskEventNotifier } from "../../execution/events.ts";
import { cancelTask } from "../../execution/task-commands.ts";
import { findTask } from "../../tasks/task-store.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const route = createRoute({
  method: "post",
  path: "/tasks/{id}/cancel",
  tags: ["tasks"],
  summary: "Cancel a task: stop its running subtasks and run nothing more",
  description:
    "Pending and running subtasks become `cancelled` and the task ends `cancelled`, in one transaction. Agent calls still in flight are aborted (which aborts their model calls): at once when this replica dispatched them, within the engine's poll interval on another replica. Subtasks that already succeeded keep their results.",
  request: { params: TaskIdParams },
  responses: {
    200: { description: "The cancelled task", content: { "application/json": { schema: Task } } },
    400: problem("The id is not a UUID"),
    404: problem("No such task"),
    409: problem("The task has already ended"),
  },
});

export interface TaskCommandDependencies {
  database: Database;
  notifier: TaskEventNotifier;
  /** This replica's engine; undefined when it does not execute. */
  execution: ExecutionControl | undefined;
}

export function cancelTaskRoute({ database, notifier, execution }: TaskCommandDependencies) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await cancelTask(database, id);
    if (outcome.kind === "not_found") throw new HttpError("not_found", `no task with id ${id}`);
    if (outcome.kind === "finished") throw new HttpError("conflict", `task ${id} has already ended`);
    notifier.notify([id], { ended: true });
    execution?.taskCancelled(id, outcome.subtasks);
    c.get("logger").info({ task_id: id, cancelled: outcome.subtasks.length }, "task cancelled");
    const task = await findTask(database.db, id);
    if (!task) throw new HttpError("not_found", `no task with id ${id}`);
    return c.json(task, 200);
  });
}
