import { Registry } from "prom-client";
import { InferenceClient, type InferenceClientOptions } from "../src/client.ts";
import type { InferenceConfig } from "../src/config.ts";

/** Config for backends at `urls`, with short timeouts and no waiting between retries unless a test says so. */
export function testConfig(urls: string[], overrides: Partial<InferenceConfig> = {}): InferenceConfig {
  return {
    backends: urls.map((url) => ({ url, maxConcurrency: 4 })),
    model: "test-model",
    apiKey: undefined,
    timeoutMs: 5_000,
    maxRetries: 3,
    ...overrides,
  };
}

/** A client on its own registry; `close` it in the test. Backoff is pinned to zero jitter, so retries do not wait. */
export function testClient(config: InferenceConfig, options: Partial<InferenceClientOptions> = {}) {
  const registry = new Registry();
  const client = new InferenceClient({ config, registry, random: () => 0, ...options });
  return { client, registry };
}

/** The value of one series of a counter or gauge (or a histogram's `_count`), 0 when absent. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { type, values } = await metric.get();
  const wanted = String(type) === "histogram" ? `${name}_count` : undefined;
  const match = values.find(
    (value) =>
      (wanted === undefined || (value as { metricName?: string }).metricName === wanted) &&
      Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return match?.value ?? 0;
}
