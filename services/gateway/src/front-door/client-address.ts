import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/** The address of the peer that connected to the gateway (the Node adapter puts its request in `c.env`). */
export function clientAddress(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket.remoteAddress;
}
