import { Hono } from "hono";
import { SIMULATED_VLLM_VERSION, type SimulatorContext } from "../context.ts";

/** GET /health, /version and /metrics, with vLLM's answers. */
export function operationsRoutes(simulator: SimulatorContext) {
  const { registry } = simulator.metrics;
  return (
    new Hono()
      // vLLM answers 200 with an empty body once the engine is up.
      .get("/health", (c) => c.body(null, 200))
      // A PEP 440 local version: parses as the vLLM release it imitates, and says what it is.
      .get("/version", (c) => c.json({ version: `${SIMULATED_VLLM_VERSION}+devtools.simulator` }))
      .get("/metrics", async (c) => c.body(await registry.metrics(), 200, { "content-type": registry.contentType }))
  );
}
