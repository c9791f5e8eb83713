import { Counter, Gauge, Histogram, type Metric, type Registry } from "prom-client";
import type { LimiterEvents } from "./concurrency-limiter.ts";

/** The client's Prometheus metrics, registered once per registry. */
export interface InferenceMetrics {
  requests: Counter<"backend" | "model" | "outcome">;
  tokens: Counter<"backend" | "model" | "kind">;
  duration: Histogram<"backend" | "model" | "outcome">;
  queueWait: Histogram<"backend">;
  queueDepth: Gauge<"backend">;
  inFlight: Gauge<"backend">;
  repairs: Counter<"model" | "outcome">;
}

// LLM calls last from milliseconds (a cached short answer) to minutes (a long generation).
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320];
const WAIT_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The metric named `name` on `registry`, created by `create` unless an earlier client already
 * registered it: several clients (or a test's second client) may share one registry.
 */
function reuse<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** Creates (or finds) the inference metrics on `registry`. */
export function inferenceMetrics(registry: Registry): InferenceMetrics {
  const registers = [registry];
  return {
    requests: reuse(
      registry,
      "inference_requests_total",
      () =>
        new Counter({
          name: "inference_requests_total",
          help: "HTTP requests to inference backends, by backend, model and outcome (success, rate_limited, server_error, client_error, connection_error, timeout, aborted, bad_response).",
          labelNames: ["backend", "model", "outcome"] as const,
          registers,
        }),
    ),
    tokens: reuse(
      registry,
      "inference_tokens_total",
      () =>
        new Counter({
          name: "inference_tokens_total",
          help: "Tokens the backends reported, by backend, model and kind (prompt, completion).",
          labelNames: ["backend", "model", "kind"] as const,
          registers,
        }),
    ),
    duration: reuse(
      registry,
      "inference_request_duration_seconds",
      () =>
        new Histogram({
          name: "inference_request_duration_seconds",
          help: "Time of one HTTP request to an inference backend (for streams: to the last chunk), queue wait excluded.",
          labelNames: ["backend", "model", "outcome"] as const,
          buckets: DURATION_BUCKETS,
          registers,
        }),
    ),
    queueWait: reuse(
      registry,
      "inference_queue_wait_seconds",
      () =>
        new Histogram({
          name: "inference_queue_wait_seconds",
          help: "Time a request waited for a free slot under its backend's concurrency limit.",
          labelNames: ["backend"] as const,
          buckets: WAIT_BUCKETS,
          registers,
        }),
    ),
    queueDepth: reuse(
      registry,
      "inference_queue_depth",
      () =>
        new Gauge({
          name: "inference_queue_depth",
          help: "Requests waiting for a slot, by backend.",
          labelNames: ["backend"] as const,
          registers,
        }),
    ),
    inFlight: reuse(
      registry,
      "inference_in_flight",
      () =>
        new Gauge({
          name: "inference_in_flight",
          help: "Requests in flight to each backend.",
          labelNames: ["backend"] as const,
          registers,
        }),
    ),
    repairs: reuse(
      registry,
      "inference_structured_repairs_total",
      () =>
        new Counter({
          name: "inference_structured_repairs_total",
          help: "Repair rounds of structured calls whose first answer was invalid, by model and outcome (repaired, failed).",
          labelNames: ["model", "outcome"] as const,
          registers,
        }),
    ),
  };
}

/** Limiter events that move the gauges and the wait histogram of one backend. */
export function limiterEventsFor(metrics: InferenceMetrics, backend: string): LimiterEvents {
  const labels = { backend };
  // Touch the series so that a backend that never queued still shows 0 rather than nothing.
  metrics.queueDepth.inc(labels, 0);
  metrics.inFlight.inc(labels, 0);
  return {
    inFlightChanged: (delta) => metrics.inFlight.inc(labels, delta),
    queueDepthChanged: (delta) => metrics.queueDepth.inc(labels, delta),
    waited: (seconds) => metrics.queueWait.observe(labels, seconds),
  };
}
