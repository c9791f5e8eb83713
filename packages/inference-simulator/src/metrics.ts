import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Live values the gauges read at scrape time, so they are exact rather than last-set. */
export interface SchedulerView {
  running: () => number;
  waiting: () => number;
  kvCacheUsage: () => number;
}

export type FinishReason = "stop" | "length" | "abort";
export type FaultKind = "error" | "slow" | "hang" | "drop";

// Bucket layouts from vllm/v1/metrics/loggers.py.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560,
];
const TOKEN_LATENCY_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];

/** vLLM's 1-2-5 series up to `max`, used for its token-count histograms. */
function oneTwoFiveBuckets(max: number): number[] {
  const buckets: number[] = [];
  for (let scale = 1; ; scale *= 10) {
    for (const mantissa of [1, 2, 5]) {
      if (mantissa * scale > max) return buckets;
      buckets.push(mantissa * scale);
    }
  }
}

/**
 * The Prometheus metrics vLLM V1 exports (names from vllm/v1/metrics/loggers.py; prometheus_client
 * adds `_total` to counters, so the exposed names are written out here), labelled with
 * `model_name` and `engine` like vLLM's, in a registry of the simulator's own.
 */
export class SimulatorMetrics {
  readonly registry = new Registry();
  readonly promptTokens: Counter;
  readonly generationTokens: Counter;
  readonly requestSuccess: Counter<"finished_reason">;
  readonly prefixCacheQueries: Counter;
  readonly prefixCacheHits: Counter;
  readonly timeToFirstToken: Histogram;
  readonly interTokenLatency: Histogram;
  readonly e2eLatency: Histogram;
  readonly queueTime: Histogram;
  readonly requestPromptTokens: Histogram;
  readonly requestGenerationTokens: Histogram;
  readonly faults: Counter<"kind">;

  constructor(modelName: string, maxModelLen: number, view: SchedulerView) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ model_name: modelName, engine: "0" });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge("vllm:num_requests_running", "Number of requests in model execution batches.", view.running);
    gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", view.waiting);
    gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", view.kvCacheUsage);

    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    this.promptTokens = counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.");
    this.generationTokens = counter("vllm:generation_tokens_total", "Number of generation tokens processed.");
    this.prefixCacheQueries = counter(
      "vllm:prefix_cache_queries_total",
      "Prefix cache queries, in terms of number of queried tokens.",
    );
    this.prefixCacheHits = counter(
      "vllm:prefix_cache_hits_total",
      "Prefix cache hits, in terms of number of cached tokens.",
    );
    counter("vllm:num_preemptions_total", "Cumulative number of preemption from the engine.");
    this.requestSuccess = new Counter({
      name: "vllm:request_success_total",
      help: "Count of successfully processed requests.",
      labelNames: ["finished_reason"] as const,
      registers,
    });
    for (const reason of ["stop", "length", "abort"] satisfies FinishReason[]) {
      this.requestSuccess.inc({ finished_reason: reason }, 0);
    }

    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, buckets, registers });
    this.timeToFirstToken = histogram(
      "vllm:time_to_first_token_seconds",
      "Histogram of time to first token in seconds.",
      TTFT_BUCKETS,
    );
    this.interTokenLatency = histogram(
      "vllm:inter_token_latency_seconds",
      "Histogram of inter-token latency in seconds.",
      TOKEN_LATENCY_BUCKETS,
    );
    this.e2eLatency = histogram(
      "vllm:e2e_request_latency_seconds",
      "Histogram of e2e request latency in seconds.",
      REQUEST_LATENCY_BUCKETS,
    );
    this.queueTime = histogram(
      "vllm:request_queue_time_seconds",
      "Histogram of time spent in WAITING phase for request.",
      REQUEST_LATENCY_BUCKETS,
    );
    const tokenBuckets = oneTwoFiveBuckets(maxModelLen);
    this.requestPromptTokens = histogram(
      "vllm:request_prompt_tokens",
      "Number of prefill tokens processed.",
      tokenBuckets,
    );
    this.requestGenerationTokens = histogram(
      "vllm:request_generation_tokens",
      "Number of generation tokens processed.",
      tokenBuckets,
    );

    // Not a vLLM metric: how often the simulator misbehaved on purpose.
    this.faults = new Counter({
      name: "devtools_simulator_faults_injected_total",
      help: "Faults the inference simulator injected, by kind.",
      labelNames: ["kind"] as const,
      registers,
    });
  }
}
