import type { AgentType } from "@devtools/contracts/agent-type";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Executions } from "../../executions.ts";
import { failureResponse } from "./failure-response.ts";
import { executeRoute, REPLAYED_HEADER } from "./schema.ts";

export interface ExecuteDependencies {
  type: AgentType;
  executions: Executions;
  /** Throws InferenceNotConfiguredError when the agent cannot execute at all. */
  requireInference: () => void;
}

/** POST /execute: the result as one JSON document. */
export function executePostRoute({ type, executions, requireInference }: ExecuteDependencies) {
  return new OpenAPIHono().openapi(executeRoute(type), async (c) => {
    const request = c.req.valid("json");
    try {
      requireInference();
      const { result, replayed } = await executions.run(request, { signal: c.req.raw.signal });
      return c.json(result, 200, replayed ? { [REPLAYED_HEADER]: "true" } : {});
    } catch (error) {
      // A problem+json Response, declared in the route's responses; Hono's typing follows only c.json bodies.
      return failureResponse(c, error) as never;
    }
  });
}
