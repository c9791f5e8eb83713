import { LinearStatusResponse } from "@devtools/contracts/linear";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { summarizeConnection } from "../connection-store.ts";
import type { LinearSetup } from "../setup.ts";

const route = createRoute({
  method: "get",
  path: "/oauth/linear/status",
  tags: ["linear"],
  summary: "Which Linear workspace the gateway uses, and how",
  description:
    "`stored` summarizes the connection the Linear operations use (LINEAR_WORKSPACE_ID's, else the most recently connected): workspace, scopes, actor, expiry, and why it was disconnected if it was; never a token. `developerFallback` is true when no connected OAuth token is stored and the personal LINEAR_API_KEY is used instead.",
  responses: {
    200: { description: "The connection", content: { "application/json": { schema: LinearStatusResponse } } },
  },
});

export function statusRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const row = await setup.store.current(setup.config.LINEAR_WORKSPACE_ID);
    const connected = row?.status === "connected";
    return c.json(
      {
        success: true as const,
        status: {
          stored: row ? summarizeConnection(row) : null,
          developerFallback: !connected && setup.config.LINEAR_API_KEY !== undefined,
        },
      },
      200,
    );
  });
}
