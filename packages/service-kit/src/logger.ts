import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Paths pino censors in every log line, so secrets never depend on a caller's care: credentials in
 * headers, tokens, keys, client secrets, passwords, and the services' secret variables when a
 * config object is logged. LOG_REDACT_PATHS adds to them.
 */
export const REDACTED_PATHS: readonly string[] = [
  "*.authorization",
  "*.Authorization",
  "*.cookie",
  "*.set-cookie",
  "*.x-api-key",
  "*.password",
  "*.secret",
  "*.token",
  "*.access_token",
  "*.refresh_token",
  "*.id_token",
  "*.client_secret",
  "*.api_key",
  "*.apiKey",
  "*.accessToken",
  "*.refreshToken",
  "*.clientSecret",
  "*.code_verifier",
  "headers.authorization",
  "headers.cookie",
  "headers.x-api-key",
  "config.DATABASE_URL",
  "config.POSTGRES_PASSWORD",
  "config.INTERNAL_TOKEN",
  "config.LINEAR_CLIENT_SECRET",
  "config.LINEAR_API_KEY",
  "config.LINEAR_WEBHOOK_SECRET",
  "config.TOKEN_ENCRYPTION_KEY",
  "config.CALLBACK_SIGNING_SECRET",
  "config.INFERENCE_API_KEY",
  "config.OTEL_EXPORTER_OTLP_HEADERS",
  "config.OTEL_EXPORTER_OTLP_TRACES_HEADERS",
];

export interface LoggerOptions {
  /** More pino redaction paths (LOG_REDACT_PATHS), censored like the built-in ones. */
  redactPaths?: readonly string[] | undefined;
  /** Where lines go instead of stdout (a test's collector). */
  destination?: DestinationStream;
}

/**
 * The active span's ids on every line logged within it, so that a log line leads to its trace.
 * Outside a span (or with tracing off) it adds nothing and costs one context lookup.
 */
function traceCorrelation(): Record<string, string> {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** JSON logs on stdout, one object per line, with the service name and the active trace on each. */
export function createLogger(service: string, level: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceCorrelation,
      redact: { paths: [...REDACTED_PATHS, ...(options.redactPaths ?? [])], censor: "[redacted]" },
    },
    options.destination ?? pino.destination(1),
  );
}
