import { Problem } from "@devtools/contracts/problem";
import { Task, TaskIdParams } from "@devtools/contracts/task";
import type { Db } from "@devtools/db/client";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { findTask } from "../../tasks/task-store.ts";

const route = createRoute({
  method: "get",
  path: "/tasks/{id}",
  tags: ["tasks"],
  summary: "A task with its subtasks and routing plan",
  request: { params: TaskIdParams },
  responses: {
    200: { description: "The task", content: { "application/json": { schema: Task } } },
    400: { description: "The id is not a UUID", content: { "application/problem+json": { schema: Problem } } },
    404: { description: "No such task", content: { "application/problem+json": { schema: Problem } } },
  },
});

export function getTaskRoute(db: Db) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const task = await findTask(db, id);
    if (!task) throw new HttpError("not_found", `no task with id ${id}`);
    return c.json(task, 200);
  });
}
