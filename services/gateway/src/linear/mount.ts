import type { LinearOperations } from "@devtools/contracts/linear";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayDependencies } from "../app.ts";

export interface MountedLinear {
  /** Issues, comments… in the connected workspace; what the MCP Linear tools call. */
  operations: LinearOperations;
  close: () => Promise<void>;
}

/** Mounts Linear OAuth and webhooks on the gateway. */
export function mountLinear(_app: OpenAPIHono, _deps: GatewayDependencies): MountedLinear {
  const notYet = () => Promise.reject(new Error("Linear is not built yet"));
  return { operations: { searchIssues: notYet, createIssue: notYet, createComment: notYet }, close: async () => {} };
}
