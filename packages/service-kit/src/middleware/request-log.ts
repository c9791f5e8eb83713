import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../logger.ts";

declare module "hono" {
  interface ContextVariableMap {
    logger: Logger;
  }
}

/**
 * One wide log line per request, and a request-scoped child logger for handlers. Both carry the
 * request id; within a traced request the logger adds the span's `trace_id`/`span_id` to each
 * line itself, and with tracing off the caller's trace id (from `traceparent`) is bound instead.
 * Runs inside `traceRequests`, whose variables it reads.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function requestLog(c, next) {
    const started = performance.now();
    const requestId = c.get("requestId");
    // The span's ids come from the logger's mixin; only a caller's id without a span of ours is bound.
    const callerTraceId = c.get("spanId") === undefined ? c.get("traceId") : undefined;
    const bindings = { request_id: requestId, ...(callerTraceId ? { trace_id: callerTraceId } : {}) };
    c.set("logger", logger.child(bindings));
    await next();
    const status = c.res.status;
    const line = {
      method: c.req.method,
      route: routePath(c),
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      ...bindings,
    };
    if (status >= 500) logger.error(line, "request failed");
    else logger.info(line, "request");
  };
}
