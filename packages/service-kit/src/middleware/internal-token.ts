import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";

// Probes and scrapes come from the platform (kubelet, Docker, Prometheus), which holds no token.
const OPEN_PATHS = new Set(["/health", "/ready", "/metrics"]);

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Refuses every request that does not carry `Authorization: Bearer <token>`, the secret the
 * services share (INTERNAL_TOKEN), except the probes and /metrics. Both sides are hashed before the
 * constant-time comparison, so neither the token's bytes nor its length leak through timing.
 */
export function requireInternalToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async function requireInternalToken(c, next) {
    if (OPEN_PATHS.has(c.req.path)) return next();
    const header = c.req.header("authorization");
    if (!header) {
      throw new HttpError("unauthorized", "this service answers only other devtools services: send the internal token");
    }
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
    if (!timingSafeEqual(digest(presented), expected)) {
      throw new HttpError("unauthorized", "the internal token does not match this service's INTERNAL_TOKEN");
    }
    return next();
  };
}
