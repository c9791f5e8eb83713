import { z } from "zod";

/** Thrown when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** `true`/`false`/`1`/`0`/`yes`/`no`, as environment variables spell booleans. */
export const envBoolean = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((value) => value === "true" || value === "1" || value === "yes");

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Variables every service reads. `DEBUG=true` lowers the log level to debug unless LOG_LEVEL says otherwise. */
export const serviceEnvironment = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65_535),
  LOG_LEVEL: z.string().toLowerCase().pipe(z.enum(LOG_LEVELS)).optional(),
  DEBUG: envBoolean.default(false),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The secret the services share: internal services require it, their callers send it. Unset: no check. */
  INTERNAL_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** More pino paths to censor in logs, comma-separated (`body.ssn,*.private_key`), on top of the built-in list. */
  LOG_REDACT_PATHS: z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((path) => path.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^[\w*$.[\]"'-]+$/, "must be comma-separated pino paths such as body.ssn or *.private_key"),
      ),
    )
    .optional(),
});

// Their values are never echoed back, even when malformed.
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL/;

/**
 * Parses `env` once with `schema`. Empty strings count as unset, as they do in compose files.
 * @throws ConfigError naming each offending variable.
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
): z.infer<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const value = typeof issue.path[0] === "string" ? present[issue.path[0]] : undefined;
      if (value === undefined || SECRET_NAME.test(name)) return `${name}: ${issue.message}`;
      return `${name}=${JSON.stringify(value)}: ${issue.message}`;
    }),
  );
}

/** The effective log level: LOG_LEVEL when set, else debug under DEBUG, else info. */
export function logLevelOf(config: z.infer<typeof serviceEnvironment>): (typeof LOG_LEVELS)[number] {
  return config.LOG_LEVEL ?? (config.DEBUG ? "debug" : "info");
}
