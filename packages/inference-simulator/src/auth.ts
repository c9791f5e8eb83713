import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

// vLLM's AuthenticationMiddleware guards these prefixes only: /health, /metrics and /tokenize stay open.
const GUARDED_PREFIXES = ["/v1", "/v2", "/inference", "/cohere"];

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * vLLM's --api-key check: `Authorization: Bearer <key>` matching any configured key, compared in
 * constant time; otherwise 401 `{"error": "Unauthorized"}` (not the usual error shape — vLLM's own).
 */
export function apiKeyAuth(keys: readonly string[]): MiddlewareHandler {
  const expected = keys.map(digest);
  return async function apiKeyAuth(c, next) {
    const guarded = GUARDED_PREFIXES.some((prefix) => c.req.path.startsWith(prefix));
    if (expected.length === 0 || c.req.method === "OPTIONS" || !guarded) return next();
    const [scheme = "", ...rest] = (c.req.header("authorization") ?? "").split(" ");
    const offered = digest(rest.join(" "));
    let match = false;
    for (const key of expected) match = timingSafeEqual(offered, key) || match;
    if (scheme.toLowerCase() !== "bearer" || !match) return c.json({ error: "Unauthorized" }, 401);
    return next();
  };
}
