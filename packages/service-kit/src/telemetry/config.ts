import { z } from "zod";
import { envBoolean, parseEnvironment } from "../config.ts";

const list = <T extends [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)));

/**
 * The standard OTEL_* variables this kit looks at itself: enough to decide whether tracing is on and
 * to refuse a misspelt value at start-up. The SDK reads these and the rest of the specification's
 * variables (headers, timeouts, OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES…) on its own.
 */
export const telemetryEnvironment = z.object({
  OTEL_SDK_DISABLED: envBoolean.default(false),
  OTEL_TRACES_EXPORTER: list(["otlp", "console", "zipkin", "none"]).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["grpc", "http/protobuf", "http/json"]).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(["grpc", "http/protobuf", "http/json"]).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type TelemetryEnvironment = z.infer<typeof telemetryEnvironment>;

/** Only the OTEL_* entries of `env`: a service's own variables are its own schema's business. */
function otelVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith("OTEL_")));
}

/** @throws ConfigError naming each bad OTEL_* variable. */
export function telemetryConfigFrom(env: Record<string, string | undefined>): TelemetryEnvironment {
  return parseEnvironment(telemetryEnvironment, otelVariables(env));
}

/**
 * Tracing is off unless an exporter is asked for: OTEL_TRACES_EXPORTER naming one, or an OTLP
 * endpoint (whose exporter is the specification's default). OTEL_SDK_DISABLED=true wins.
 */
export function tracingRequested(config: TelemetryEnvironment): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  const exporters = config.OTEL_TRACES_EXPORTER;
  if (exporters !== undefined) return exporters.some((exporter) => exporter !== "none");
  return config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}
