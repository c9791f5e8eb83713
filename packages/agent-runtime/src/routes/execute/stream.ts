import { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { ExecutionEvents } from "../../execution-events.ts";
import type { Ticket } from "../../executions.ts";
import { failureOf } from "../../failures.ts";
import { failureResponse } from "./failure-response.ts";
import type { ExecuteDependencies } from "./post.ts";
import { executeStreamRoute, REPLAYED_HEADER } from "./schema.ts";

/**
 * POST /execute/stream: the same execution as server-sent events. What is known before any work
 * starts (bad input, a reused key, no backend) is answered with its HTTP status; after the stream
 * opens, a failure is an `error` event carrying the problem /execute would have answered.
 */
export function executeStreamPostRoute({ executions, requireInference }: ExecuteDependencies) {
  return new OpenAPIHono().openapi(executeStreamRoute(), async (c) => {
    const request = c.req.valid("json");
    const signal = c.req.raw.signal;
    let ticket: Ticket;
    try {
      requireInference();
      ticket = await executions.begin(request, { stream: true });
    } catch (error) {
      // A problem+json Response, declared in the route's responses; Hono's typing follows only c.json bodies.
      return failureResponse(c, error) as never;
    }
    if (ticket.kind === "stored" || ticket.joined) c.header(REPLAYED_HEADER, "true");
    return streamSSE(c, async (stream) => {
      // Events arrive synchronously from the execution; writes are queued so they keep their order.
      let writes = Promise.resolve();
      const send = (event: string, data: unknown) => {
        writes = writes.then(() => stream.writeSSE({ event, data: JSON.stringify(data) }));
        return writes;
      };
      if (ticket.kind === "stored") {
        await send("result", ticket.answer.result);
        return;
      }
      const events: ExecutionEvents = {
        phase: (phase) => void send("progress", { phase }),
        token: (text) => void send("token", { text }),
      };
      try {
        const { result } = await ticket.wait({ signal, events });
        await send("result", result);
      } catch (error) {
        if (signal.aborted) return;
        const failure = failureOf(error);
        if (!failure) throw error;
        await send("error", { ...failure.problem, instance: c.get("requestId") });
      }
    });
  });
}
