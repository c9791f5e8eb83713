import { EXECUTE_RESULTS, ExecuteRequest, type ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import { Problem } from "@devtools/contracts/problem";
import { jsonBody } from "@devtools/service-kit/json-body";
import { createRoute, z } from "@hono/zod-openapi";

/** Set on an answer that was not computed for this request (`replayed: true` in the body). */
export const REPLAYED_HEADER = "idempotent-replayed";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const retryAfter = {
  "retry-after": { description: "Seconds to wait before retrying", schema: { type: "integer" as const } },
};

/** Answers both execute routes share: those known before any work starts, or that end it. */
const requestProblems = {
  400: problem("Malformed JSON, or a field fails validation (named in `errors`)"),
  409: problem("The idempotency key was already used with a different body"),
  413: problem("Body larger than the limit"),
  415: problem("Body is not JSON"),
  503: {
    ...problem("No inference backend is configured, or it is down, busy or too slow: retry after Retry-After"),
    headers: retryAfter,
  },
};

const body = { required: true, content: { "application/json": { schema: ExecuteRequest } } };

export function executeRoute(type: AgentType) {
  // The agent's own result schema, typed as the union so that one handler serves every agent.
  const result: z.ZodType<ExecuteResult> = EXECUTE_RESULTS[type];
  return createRoute({
    method: "post",
    path: "/execute",
    tags: ["agent"],
    summary: "Run a subtask and answer with its result",
    description:
      "Validates the subtask, asks the model for the agent's structured output (checked with real parsers, one repair round), and answers with the output, its files as artifacts and the tokens used. The same idempotency key answers the stored result without calling the model again; a duplicate sent while the first runs shares its model call. If the client disconnects, the model call is aborted unless another request waits for it.",
    middleware: [jsonBody()] as const,
    request: { body },
    responses: {
      200: {
        description: "The result",
        content: { "application/json": { schema: result } },
        headers: {
          [REPLAYED_HEADER]: {
            description: "`true` when the result was replayed",
            schema: { type: "string" as const },
          },
        },
      },
      ...requestProblems,
      422: problem(
        "The model could not produce a valid output for this subtask (the problems are in `errors`); do not retry",
      ),
      502: problem("The inference backend answered something unusable"),
    },
  });
}

export function executeStreamRoute() {
  return createRoute({
    method: "post",
    path: "/execute/stream",
    tags: ["agent"],
    summary: "Run a subtask, streaming progress and the model's text as server-sent events",
    description:
      "Same work and idempotency as POST /execute, answered as server-sent events: `progress` ({phase: started|generating|checking|repairing|done}), `token` ({text}) while the model writes, then one `result` (the ExecuteResult) or `error` (a problem document with the status /execute would have answered). A replay sends `result` at once.",
    middleware: [jsonBody()] as const,
    request: { body },
    responses: {
      200: {
        description: "An event stream ending in `result` or `error`",
        content: { "text/event-stream": { schema: z.string() } },
      },
      ...requestProblems,
    },
  });
}
