import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { telemetryConfigFrom, tracingRequested } from "./config.ts";

export interface TelemetryOptions {
  /** `service.name` of the process's resource unless OTEL_SERVICE_NAME says otherwise. */
  service: string;
  env: Record<string, string | undefined>;
  /**
   * Where spans go instead of the exporters OTEL_TRACES_EXPORTER configures (a test's in-memory
   * exporter). Given, tracing is on whatever the environment says.
   */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Whether spans are recorded and exported. */
  readonly tracing: boolean;
  /** Exports what is buffered and stops the SDK. Idempotent. */
  shutdown: () => Promise<void>;
}

const OFF: Telemetry = { tracing: false, shutdown: async () => {} };

// One SDK per process: the OpenTelemetry API's providers are process-wide.
let started: Telemetry | undefined;

/**
 * Starts OpenTelemetry tracing for this process when the standard OTEL_* variables ask for an
 * exporter (see `tracingRequested`); otherwise starts nothing, and the API's no-op tracer makes
 * every span in the code base free — the SDK is not even loaded (it costs ~0.4 s and ~45 MB). Spans: incoming requests (the service kit's middleware),
 * outgoing undici calls with W3C `traceparent` injected, database statements and inference calls.
 * Metrics stay on `/metrics` (prom-client) and logs on stdout (pino), so the SDK's OTLP metrics and
 * logs pipelines are not started. Later calls return the first call's telemetry.
 *
 * The OTEL_* variables are validated from `env`; the SDK reads them from the process environment,
 * as the specification defines, which is where every entry point takes `env` from.
 * @throws ConfigError naming a bad OTEL_* variable.
 */
export async function startTelemetry({ service, env, spanProcessors }: TelemetryOptions): Promise<Telemetry> {
  if (started) return started;
  const config = telemetryConfigFrom(env);
  if (!spanProcessors && !tracingRequested(config)) {
    started = OFF;
    return started;
  }
  const [{ NodeSDK }, { undiciInstrumentation }] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("./undici.ts"),
  ]);
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME ?? service,
    instrumentations: [undiciInstrumentation()],
    metricReaders: [],
    logRecordProcessors: [],
    ...(spanProcessors ? { spanProcessors } : {}),
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  started = {
    tracing: true,
    shutdown: () => {
      stopping ??= sdk.shutdown();
      return stopping;
    },
  };
  return started;
}

/** Whether this process records spans: the request middleware skips its work when it does not. */
export function tracingOn(): boolean {
  return started?.tracing === true;
}

/** Flushes and stops the process's telemetry, if it was started: the last thing before exit. */
export async function shutdownTelemetry(): Promise<void> {
  await started?.shutdown();
}
