import type { MiddlewareHandler } from "hono";

/**
 * The web view's policy: everything from this origin, nothing inline, nothing from elsewhere. Data
 * calls go to the same origin's `/api`, so `connect-src 'self'` is all they need.
 */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sets the web view's Content-Security-Policy on every answer under the path it is mounted on. */
export function contentSecurityPolicy(): MiddlewareHandler {
  return async function contentSecurityPolicy(c, next) {
    await next();
    c.header("Content-Security-Policy", POLICY);
  };
}
