import { randomUUID } from "node:crypto";
import type { AgentType } from "@devtools/contracts/agent-type";
import { OrchestrateRequest, OrchestrateResponse } from "@devtools/contracts/orchestrate";
import { Problem } from "@devtools/contracts/problem";
import type { InferenceClient } from "@devtools/inference/client";
import { jsonBody } from "@devtools/service-kit/json-body";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { choosePlan } from "../../planner/choose-plan.ts";
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
    "Decomposes the request into subtasks with dependencies, stores the task and its routing plan in one transaction, and answers with the plan at once; the subtasks then run on the agents in the background (follow them at `GET /tasks/{id}` or `GET /tasks/{id}/events`).",
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { "application/json": { schema: OrchestrateRequest } } } },
  responses: {
    201: { description: "The task as planned", content: { "application/json": { schema: OrchestrateResponse } } },
    400: problem("Malformed JSON, or a field fails validation (named in `errors`)"),
    413: problem("Body larger than the limit"),
    415: problem("Body is not JSON"),
  },
});

export interface OrchestrateDependencies {
  writer: TaskWriter;
  clock: () => Date;
  /** Undefined when no inference backend is configured: `auto` then plans with the rules. */
  inference: InferenceClient | undefined;
  plannerTimeoutMs: number;
  /** Called once a task is stored, with its first stage's agents: the engine claims without waiting for its poll. */
  onTaskWritten: (agentTypes: readonly AgentType[]) => void;
}

export function orchestrateRoute({
  writer,
  clock,
  inference,
  plannerTimeoutMs,
  onTaskWritten,
}: OrchestrateDependencies) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const request = c.req.valid("json");
    const logger = c.get("logger");
    const { plan, planner, note } = await choosePlan(request.description, request.planner, {
      inference,
      logger,
      signal: c.req.raw.signal,
      timeoutMs: plannerTimeoutMs,
    });
    const task = {
      id: randomUUID(),
      description: request.description,
      priority: request.priority,
      plan,
      planner,
      plannerNote: note,
      now: clock(),
    };
    await writer.write(task);
    onTaskWritten(
      plan.subtasks.filter((subtask) => subtask.dependsOn.length === 0).map((subtask) => subtask.agentType),
    );
    logger.info({ task_id: task.id, subtasks: plan.subtasks.length, planner }, "task planned");
    return c.json(newTaskView(task), 201, { location: `/tasks/${task.id}` });
  });
}
