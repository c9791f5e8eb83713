import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayDependencies } from "../app.ts";

/** Mounts the front-door concern on the gateway; the returned function releases what it holds at shutdown. */
export function mountFrontDoor(_app: OpenAPIHono, _deps: GatewayDependencies): () => Promise<void> {
  return async () => {};
}
