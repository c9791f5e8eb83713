import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/** Paths pino censors in every log line, so secrets never depend on a caller's care. */
const REDACTED_PATHS = [
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.token",
  "*.access_token",
  "*.refresh_token",
  "*.client_secret",
  "*.api_key",
  "*.apiKey",
  "*.accessToken",
  "*.refreshToken",
  "*.code_verifier",
  "headers.authorization",
  "headers.cookie",
  "config.DATABASE_URL",
  "config.POSTGRES_PASSWORD",
  "config.INTERNAL_TOKEN",
  "config.LINEAR_CLIENT_SECRET",
  "config.LINEAR_API_KEY",
  "config.LINEAR_WEBHOOK_SECRET",
  "config.TOKEN_ENCRYPTION_KEY",
  "config.CALLBACK_SIGNING_SECRET",
  "config.INFERENCE_API_KEY",
];

/** JSON logs on stdout, one object per line, with the service name on each. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  });
}
