import { randomUUID } from "node:crypto";
import {
  MAX_PREFER_WAIT_SECONDS,
  OrchestrateRequest,
  OrchestrateResponse,
  PreferenceApplied,
} from "@devtools/contracts/orchestrate";
import { Problem } from "@devtools/contracts/problem";
import type { Task } from "@devtools/contracts/task";
import type { InferenceClient } from "@devtools/inference/client";
import { HttpError } from "@devtools/service-kit/errors";
import { jsonBody } from "@devtools/service-kit/json-body";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { choosePlan } from "../../planner/choose-plan.ts";
import { preferredWait } from "../../tasks/task-end.ts";
import { newTaskView } from "../../tasks/task-store.ts";
import type { TaskWriter } from "../../tasks/task-writer.ts";
import { captureTraceContext } from "../../tasks/trace-context.ts";

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
    "Decomposes the request into subtasks with dependencies, stores the task and its routing plan in one transaction, and answers with the plan at once; the subtasks then run on the agents in the background (follow them at `GET /tasks/{id}` or `GET /tasks/{id}/events`). " +
    `With \`Prefer: wait=<seconds>\` (RFC 7240, at most ${MAX_PREFER_WAIT_SECONDS}) it first waits that long for the task to end, and answers 200 with the finished task if it did.`,
  // Documented here rather than validated by `request.headers`: a header validator would cost every request an extra step.
  parameters: [
    {
      name: "Prefer",
      in: "header",
      required: false,
      description: `\`wait=<seconds>\`: wait up to that long (at most ${MAX_PREFER_WAIT_SECONDS}) for the task to end before answering. Other or malformed preferences are ignored.`,
      schema: { type: "string", example: "wait=30" },
    },
  ],
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { "application/json": { schema: OrchestrateRequest } } } },
  responses: {
    200: {
      description: "The task ended within the `Prefer: wait`: the finished task, as `GET /tasks/{id}` shows it",
      headers: PreferenceApplied,
      content: { "application/json": { schema: OrchestrateResponse } },
    },
    201: { description: "The task as planned", content: { "application/json": { schema: OrchestrateResponse } } },
    400: problem(
      "Malformed JSON, or a field fails validation (named in `errors`), or `callback_url` without a configured `CALLBACK_SIGNING_SECRET`",
    ),
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
  /** Waits for the task to end (`Prefer: wait`): its view, or undefined on timeout or when the client left. */
  awaitTaskEnd: (taskId: string, timeoutMs: number, signal: AbortSignal) => Promise<Task | undefined>;
  /** Whether callbacks can be signed: without it a `callback_url` is refused. */
  callbacksEnabled: boolean;
}

export function orchestrateRoute({
  writer,
  clock,
  inference,
  plannerTimeoutMs,
  awaitTaskEnd,
  callbacksEnabled,
}: OrchestrateDependencies) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const request = c.req.valid("json");
    if (request.callback_url !== undefined && !callbacksEnabled) {
      throw new HttpError("validation_failed", "callback_url needs CALLBACK_SIGNING_SECRET, which this server lacks", {
        fields: [
          {
            field: "callback_url",
            message: "callbacks are not configured on this server (CALLBACK_SIGNING_SECRET is not set)",
            code: "callbacks_not_configured",
          },
        ],
      });
    }
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
      maxTokens: request.max_tokens,
      callbackUrl: request.callback_url,
      traceContext: captureTraceContext(),
    };
    await writer.write(task);
    logger.info({ task_id: task.id, subtasks: plan.subtasks.length, planner }, "task planned");
    const location = `/tasks/${task.id}`;
    const prefer = c.req.header("prefer");
    const wait = prefer === undefined ? undefined : preferredWait(prefer, MAX_PREFER_WAIT_SECONDS);
    if (wait !== undefined) {
      const finished = await awaitTaskEnd(task.id, wait * 1_000, c.req.raw.signal);
      if (finished) return c.json(finished, 200, { location, "preference-applied": `wait=${wait}` });
    }
    return c.json(newTaskView(task), 201, { location });
  });
}
