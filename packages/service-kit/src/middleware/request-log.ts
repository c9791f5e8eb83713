import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../logger.ts";

declare module "hono" {
  interface ContextVariableMap {
    logger: Logger;
    traceId: string | undefined;
  }
}

// W3C trace context: version-traceid-parentid-flags.
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/** One wide log line per request, and a request-scoped child logger for handlers. */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function requestLog(c, next) {
    const started = performance.now();
    const traceId = TRACEPARENT.exec(c.req.header("traceparent") ?? "")?.[1];
    const requestId = c.get("requestId");
    c.set("traceId", traceId);
    c.set("logger", logger.child({ request_id: requestId, ...(traceId ? { trace_id: traceId } : {}) }));
    await next();
    const status = c.res.status;
    const line = {
      method: c.req.method,
      route: routePath(c),
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      request_id: requestId,
      ...(traceId ? { trace_id: traceId } : {}),
    };
    if (status >= 500) logger.error(line, "request failed");
    else logger.info(line, "request");
  };
}
