import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { collectDefaultMetrics, Registry } from "prom-client";
import { HttpError, problemResponse, toProblem } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { limitRequestBody } from "./middleware/body-limit.ts";
import { httpMetrics } from "./middleware/http-metrics.ts";
import { requireInternalToken } from "./middleware/internal-token.ts";
import { requestLog } from "./middleware/request-log.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes, type ReadinessCheck } from "./routes/health.ts";
import { traceRequests } from "./telemetry/trace-requests.ts";

export type { ReadinessCheck } from "./routes/health.ts";
// For a service's background work (a job loop), whose spans should name it as its requests' do.
export { ATTR_DEVTOOLS_SERVICE, withService } from "./telemetry/service-context.ts";

export interface ServiceOptions {
  /** The service's name as DESIGN.md spells it (`orchestrator`, `code-review`…). */
  name: string;
  version: string;
  /** One line for the OpenAPI document. */
  description: string;
  logger: Logger;
  /** Dependencies `/ready` probes; a service with none is ready when it serves. */
  readiness?: Record<string, ReadinessCheck>;
  /** Where the service's own metrics live; `/metrics` serves it with HTTP and process metrics added. */
  metrics?: Registry;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
  /** When set, every route but /health, /ready and /metrics requires `Authorization: Bearer <it>` (INTERNAL_TOKEN). */
  internalToken?: string | undefined;
  /**
   * Says why an error means a dependency is out of reach for now (e.g. `databaseUnavailable`):
   * such errors are answered 503 with `retry-after`, so that clients retry instead of giving up.
   */
  unavailable?: (error: unknown) => string | undefined;
}

// Seconds a client is asked to wait after a 503 for an unreachable dependency.
const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Builds a service's Hono app the one way every service is built: request id → trace span → log line → metrics →
 * internal token (when configured) → body limit → routes → one problem+json error handler, with
 * /health, /ready, /metrics, /openapi.json and /docs already mounted. Add routes with `app.route("/", routes)`.
 */
export function createServiceApp(options: ServiceOptions): OpenAPIHono {
  const { logger } = options;
  const registry = options.metrics ?? new Registry();
  collectDefaultMetrics({ register: registry });
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw HttpError.fromZod(result.error, result.target);
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  app.use(requestId());
  // Tracing wraps the log line, so that every line of the request, its own included, carries the span's ids.
  app.use(traceRequests(options.name, options.version));
  app.use(requestLog(logger));
  app.use(httpMetrics(registry));
  if (options.internalToken) app.use(requireInternalToken(options.internalToken));
  app.use(limitRequestBody(limit));

  app.route("/", healthRoutes(options.name, options.version, options.readiness ?? {}));
  app.get("/metrics", async (c) =>
    c.body(await registry.metrics(), 200, { "content-type": registry.contentType, "cache-control": "no-store" }),
  );
  app.route(
    "/",
    docsRoutes(app, { title: `devtools ${options.name}`, version: options.version, description: options.description }),
  );

  app.notFound((c) => {
    throw new HttpError("not_found", `no route for ${c.req.method} ${c.req.path}`);
  });
  app.onError((error, c) => {
    const requestLogger = c.get("logger") ?? logger;
    const unavailable = error instanceof HttpError ? undefined : options.unavailable?.(error);
    if (unavailable) {
      requestLogger.warn({ err: error }, unavailable);
      c.header("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return problemResponse(c, toProblem(new HttpError("unavailable", unavailable), c.get("requestId")));
    }
    const problem = toProblem(error, c.get("requestId"));
    if (problem.status >= 500) requestLogger.error({ err: error }, "unhandled error");
    return problemResponse(c, problem);
  });
  return app;
}
