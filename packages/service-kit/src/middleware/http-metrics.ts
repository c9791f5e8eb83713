import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, Histogram, type Registry } from "prom-client";

// Any other method is counted as OTHER, so that a client cannot grow the label set.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The route template that answered (`/tasks/:id`), never the raw path, so that ids do not explode
 * the label set. When a middleware answered itself (401, 413, 429) it sits on a wildcard: the label
 * names the route it guarded instead. A request that matched no route is `/*`.
 */
function routeTemplate(c: Context): string {
  const responder = routePath(c);
  return responder.endsWith("*") ? routePath(c, -1) || responder : responder;
}

/** Request counts and latency histograms labelled by method, route template and status. */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request (to its headers, for streams), by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return async function httpMetrics(c, next) {
    const started = performance.now();
    await next();
    const method = METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const labels = { method, route: routeTemplate(c), status: String(c.res.status) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - started) / 1000);
  };
}
