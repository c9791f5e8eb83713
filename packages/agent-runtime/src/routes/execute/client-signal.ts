import type { MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** Aborts when the client closes the connection before the response is complete. */
    clientSignal: AbortSignal;
  }
}

/**
 * Keeps the signal of the request as it arrived. The Node adapter aborts it when the client goes
 * away; body middleware that rebuilds `c.req.raw` (jsonBody does, for bodies not sent as JSON)
 * would otherwise leave the route a request whose signal never fires.
 */
export function clientSignal(): MiddlewareHandler {
  return async function clientSignal(c, next) {
    c.set("clientSignal", c.req.raw.signal);
    await next();
  };
}
