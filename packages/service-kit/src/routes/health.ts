import { type DependencyCheck, HealthResponse, ReadyResponse } from "@devtools/contracts/health";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";

/** A dependency probe: resolves when the dependency answers, rejects (or times out) otherwise. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

const READINESS_TIMEOUT_MS = 2_000;

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["operations"],
  summary: "Liveness: the process serves HTTP",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthResponse } } } },
});

const readyRoute = createRoute({
  method: "get",
  path: "/ready",
  tags: ["operations"],
  summary: "Readiness: every dependency of this service answers",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadyResponse } } },
    503: { description: "A dependency does not answer", content: { "application/json": { schema: ReadyResponse } } },
  },
});

async function runCheck(check: ReadinessCheck): Promise<DependencyCheck> {
  const started = performance.now();
  const signal = AbortSignal.timeout(READINESS_TIMEOUT_MS);
  try {
    await Promise.race([
      check(signal),
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
    ]);
    return { status: "ok", latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: "failed",
      latency_ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export function healthRoutes(service: string, version: string, readiness: Record<string, ReadinessCheck>) {
  const health: HealthResponse = { status: "ok", service, version };
  return new OpenAPIHono()
    .openapi(healthRoute, (c) => c.json(health, 200))
    .openapi(readyRoute, async (c) => {
      const names = Object.keys(readiness);
      const results = await Promise.all(names.map((name) => runCheck(readiness[name] as ReadinessCheck)));
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i] as DependencyCheck]));
      const ready = results.every((result) => result.status === "ok");
      return c.json({ status: ready ? "ready" : "not_ready", service, checks }, ready ? 200 : 503);
    });
}
