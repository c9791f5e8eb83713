import { storableText } from "@devtools/contracts/text";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { LinearOAuthError } from "../linear-oauth-client.ts";
import type { LinearSetup } from "../setup.ts";
import { problem } from "./problem.ts";

const RevokeResponse = z
  .object({ success: z.literal(true), revoked: z.object({ workspace_id: z.string(), workspace_name: z.string() }) })
  .meta({ id: "LinearRevokeResponse" });

const route = createRoute({
  method: "post",
  path: "/oauth/linear/revoke",
  tags: ["linear"],
  summary: "Disconnect a Linear workspace: revoke its tokens at Linear and forget them",
  description:
    "Revokes the access and refresh tokens at Linear's revoke endpoint, then deletes the stored connection. `workspace_id` picks the workspace; without it, the one `/oauth/linear/status` shows.",
  request: { query: z.object({ workspace_id: storableText(z.string().min(1).max(200)).optional() }) },
  responses: {
    200: { description: "Revoked and forgotten", content: { "application/json": { schema: RevokeResponse } } },
    404: problem("No such connected workspace"),
    502: problem("Linear's revoke endpoint failed; the tokens are kept so that revoking can be tried again"),
  },
});

export function revokeRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { store, oauth, config } = setup;
    const wanted = c.req.valid("query").workspace_id ?? config.LINEAR_WORKSPACE_ID;
    const row = await store.current(wanted);
    if (!row)
      throw new HttpError(
        "not_found",
        wanted ? `no Linear connection for workspace ${wanted}` : "no Linear workspace is connected",
      );
    if (row.accessTokenCiphertext) {
      if (!oauth)
        throw new HttpError(
          "unavailable",
          "Linear OAuth is not configured: set LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET",
        );
      const tokens = store.tokensOf(row);
      try {
        if (tokens.refreshToken) await oauth.revoke(tokens.refreshToken, "refresh_token");
        await oauth.revoke(tokens.accessToken, "access_token");
      } catch (error) {
        const reason = error instanceof LinearOAuthError ? error.code : "unknown";
        throw new HttpError("bad_gateway", `Linear did not revoke the tokens (${reason}); try again`, { cause: error });
      }
    }
    await store.remove(row.workspaceId);
    c.get("logger").info({ workspace_id: row.workspaceId }, "Linear workspace disconnected and its tokens revoked");
    return c.json(
      { success: true as const, revoked: { workspace_id: row.workspaceId, workspace_name: row.workspaceName } },
      200,
    );
  });
}
