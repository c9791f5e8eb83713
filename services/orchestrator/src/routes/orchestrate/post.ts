import { randomUUID } from "node:crypto";
import { OrchestrateRequest, OrchestrateResponse } from "@devtools/contracts/orchestrate";
import { Problem } from "@devtools/contracts/problem";
import { jsonBody } from "@devtools/service-kit/json-body";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { planTask } from "../../planner/plan-task.ts";
import { newTaskView } from "../../tasks/task-store.ts";
import type { TaskWriter } from "../../tasks/task-writer.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const route = createRoute({
  method: "post",
  path: "/orchestrate",
  tags: ["tasks"],
  summary: "Plan a request into subtasks for the specialist agents",
  description:
    "Decomposes the request into subtasks with dependencies, stores the task and its routing plan in one transaction, and answers with the plan.",
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { "application/json": { schema: OrchestrateRequest } } } },
  responses: {
    201: { description: "The task as planned", content: { "application/json": { schema: OrchestrateResponse } } },
    400: problem("Malformed JSON, or a field fails validation (named in `errors`)"),
    413: problem("Body larger than the limit"),
    415: problem("Body is not JSON"),
  },
});

export function orchestrateRoute(writer: TaskWriter, clock: () => Date) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const request = c.req.valid("json");
    const task = {
      id: randomUUID(),
      description: request.description,
      priority: request.priority,
      plan: planTask(request.description),
      now: clock(),
    };
    await writer.write(task);
    c.get("logger").info({ task_id: task.id, subtasks: task.plan.subtasks.length }, "task planned");
    return c.json(newTaskView(task), 201, { location: `/tasks/${task.id}` });
  });
}
