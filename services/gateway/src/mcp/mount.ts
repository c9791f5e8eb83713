import type { LinearOperations } from "@devtools/contracts/linear";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayDependencies } from "../app.ts";

/** Mounts the MCP endpoint on the gateway; the returned function releases what it holds at shutdown. */
export function mountMcp(
  _app: OpenAPIHono,
  _deps: GatewayDependencies & { linear: LinearOperations },
): () => Promise<void> {
  return async () => {};
}
