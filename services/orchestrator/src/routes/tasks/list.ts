import { Problem } from "@devtools/contracts/problem";
import { ListTasksQuery, TaskPage } from "@devtools/contracts/task";
import type { Db } from "@devtools/db/client";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { listTasks } from "../../tasks/task-store.ts";

const route = createRoute({
  method: "get",
  path: "/tasks",
  tags: ["tasks"],
  summary: "Tasks, newest first, optionally filtered by status",
  request: { query: ListTasksQuery },
  responses: {
    200: { description: "One page of tasks", content: { "application/json": { schema: TaskPage } } },
    400: { description: "Bad filter, limit or cursor", content: { "application/problem+json": { schema: Problem } } },
  },
});

export function listTasksRoute(db: Db) {
  return new OpenAPIHono().openapi(route, async (c) => c.json(await listTasks(db, c.req.valid("query")), 200));
}
