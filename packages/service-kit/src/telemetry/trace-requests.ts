import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from "@opentelemetry/semantic-conventions";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { tracingOn } from "./sdk.ts";
import { ATTR_DEVTOOLS_SERVICE, withService } from "./service-context.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's W3C trace id: its span's when tracing is on, else the caller's `traceparent`'s. */
    traceId: string | undefined;
    /** The request span's id, when tracing is on. */
    spanId: string | undefined;
  }
}

// Probes and scrapes would each start a trace of their own, many a minute, and tell nothing.
const UNTRACED_PATHS = new Set(["/health", "/ready", "/metrics"]);

// W3C trace context: version-traceid-parentid-flags.
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

const callerTraceId = (traceparent: string | undefined) => TRACEPARENT.exec(traceparent ?? "")?.[1];

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]);

/**
 * A server span per request, continuing the caller's W3C `traceparent`/`tracestate`, named
 * `METHOD route` (the matched route, never the raw path with its ids), with the HTTP semantic
 * attributes and the response's status; a 5xx or a thrown error marks it failed. The span is the
 * active context of everything the request does, so database, inference and outgoing HTTP spans
 * become its children. With tracing off it does nothing but note the caller's trace id for the
 * request's log lines.
 */
export function traceRequests(service: string, version: string): MiddlewareHandler {
  const tracer = trace.getTracer(service, version);
  return async function traceRequests(c, next) {
    if (!tracingOn() || UNTRACED_PATHS.has(c.req.path)) {
      c.set("traceId", callerTraceId(c.req.header("traceparent")));
      return next();
    }
    const parent = withService(propagation.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter), service);
    const url = new URL(c.req.url);
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : "_OTHER";
    const span = tracer.startSpan(
      method === "_OTHER" ? "HTTP" : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: url.pathname,
          [ATTR_URL_SCHEME]: url.protocol.replace(/:$/, ""),
          [ATTR_SERVER_ADDRESS]: url.hostname,
          ...(url.port ? { [ATTR_SERVER_PORT]: Number(url.port) } : {}),
          ...(url.search ? { [ATTR_URL_QUERY]: url.search.slice(1) } : {}),
          ...(c.req.header("user-agent") ? { [ATTR_USER_AGENT_ORIGINAL]: c.req.header("user-agent") } : {}),
          [ATTR_DEVTOOLS_SERVICE]: service,
        },
      },
      parent,
    );
    const spanContext = span.spanContext();
    const recording = span.isRecording();
    c.set("traceId", recording ? spanContext.traceId : callerTraceId(c.req.header("traceparent")));
    c.set("spanId", recording ? spanContext.spanId : undefined);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = routePath(c);
      const status = c.res.status;
      span.updateName(`${method === "_OTHER" ? "HTTP" : method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // A 4xx is the caller's mistake, not a failure of this server (HTTP semantic conventions).
      if (status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute(ATTR_ERROR_TYPE, c.error?.name ?? String(status));
        if (c.error) span.recordException(c.error);
      }
      span.end();
    }
  };
}
