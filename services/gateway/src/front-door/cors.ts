import { HttpError } from "@devtools/service-kit/errors";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

// What browser clients send and need to read: keys, JSON, SSE resumption, MCP sessions, limits.
const ALLOWED_HEADERS = [
  "Authorization",
  "X-API-Key",
  "Content-Type",
  "Last-Event-ID",
  "Prefer",
  "X-Request-Id",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
];
const EXPOSED_HEADERS = [
  "X-Request-Id",
  "Location",
  "Retry-After",
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "RateLimit-Policy",
  "Mcp-Session-Id",
];

/**
 * CORS for the origins CORS_ORIGINS lists (`*` for any; none by default). API keys travel in
 * headers, not cookies, so credentials are never allowed. A request from an origin not on the list
 * gets no CORS headers, and its preflight is refused with 403 rather than a bare 204, so that the
 * reason is visible in the browser's network panel.
 */
export function corsForOrigins(origins: readonly string[]): MiddlewareHandler {
  const anyOrigin = origins.includes("*");
  const allowed = new Set(origins);
  const allow = cors({
    origin: anyOrigin ? "*" : (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return async function corsForOrigins(c, next) {
    const origin = c.req.header("origin");
    if (origin !== undefined && (anyOrigin || allowed.has(origin))) return allow(c, next);
    if (origin !== undefined && c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      throw new HttpError(
        "forbidden",
        `cross-origin requests from ${origin} are not allowed: add it to CORS_ORIGINS to allow them`,
      );
    }
    await next();
    // The answer would differ for an allowed origin: caches must not serve one for the other.
    if (allowed.size > 0 && !anyOrigin) c.header("Vary", "Origin", { append: true });
  };
}
