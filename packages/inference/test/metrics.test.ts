import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { InferenceClient } from "../src/client.ts";
import { inferenceMetrics } from "../src/metrics.ts";
import { testConfig } from "./support.ts";

describe("inferenceMetrics", () => {
  it("reuses the metrics already on a registry instead of throwing", () => {
    const registry = new Registry();

    const first = inferenceMetrics(registry);
    const second = inferenceMetrics(registry);

    expect(second.requests).toBe(first.requests);
    expect(second.inFlight).toBe(first.inFlight);
  });

  it("lets two clients share one registry, and shows each backend's gauges from the start", async () => {
    const registry = new Registry();
    const config = testConfig(["http://gpu1:8000/v1"]);
    const clients = [new InferenceClient({ config, registry }), new InferenceClient({ config, registry })];

    const text = await registry.metrics();

    expect(text).toContain('inference_in_flight{backend="http://gpu1:8000/v1"} 0');
    expect(text).toContain('inference_queue_depth{backend="http://gpu1:8000/v1"} 0');
    for (const name of [
      "inference_requests_total",
      "inference_tokens_total",
      "inference_request_duration_seconds",
      "inference_queue_wait_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    await Promise.all(clients.map((client) => client.close()));
  });
});
