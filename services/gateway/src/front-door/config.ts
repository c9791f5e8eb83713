import { z } from "zod";

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

// An origin is a scheme, a host and maybe a port: what browsers send in `Origin`, never a path.
const ORIGIN = /^https?:\/\/[^/\s]+$/;

/** CORS_ORIGINS: a comma-separated list of origins, or `*` for any; unset allows none. */
const corsOrigins = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((origin) => origin.trim().replace(/\/$/, ""))
      .filter((origin) => origin !== ""),
  )
  .pipe(
    z.array(
      z.string().refine((origin) => origin === "*" || ORIGIN.test(origin), {
        error: "each entry must be an origin such as https://app.example.com (scheme and host, no path), or *",
      }),
    ),
  )
  .default([]);

/** The front-door concern's variables. */
export const frontDoorEnvironment = z.object({
  /** `on` (default): API keys guard /api, /mcp and POST /oauth/linear/revoke. `off`: open, for local development only. */
  GATEWAY_AUTH: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
  /** How long a verified (or refused) key is trusted without asking the database; also how long a revoked key may still pass. */
  API_KEY_CACHE_TTL_MS: milliseconds(30_000),
  /** How often the keys' last_used_at is written (one batched update, not one per request). */
  API_KEY_LAST_USED_FLUSH_MS: milliseconds(60_000),
  /** Requests each API key may make per minute, sustained (0: no limit). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** Requests a key may make at once above the sustained rate (the token bucket's size). */
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(60),
  /** Origins browsers may call the gateway from (comma-separated, or `*`); none by default. */
  CORS_ORIGINS: corsOrigins,
  /** How long the /api proxy waits for an internal service's response headers (a body may stream for longer). */
  API_PROXY_HEADERS_TIMEOUT_MS: milliseconds(5 * 60_000),
});

export type FrontDoorConfig = z.infer<typeof frontDoorEnvironment>;
