import { LinearStatusResponse } from "@devtools/contracts/linear";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { summarizeConnection } from "../connection-store.ts";
import { LinearOAuthError } from "../linear-oauth-client.ts";
import type { LinearSetup } from "../setup.ts";
import { problem } from "./problem.ts";

const route = createRoute({
  method: "get",
  path: "/oauth/linear/callback",
  tags: ["linear"],
  summary: "Where Linear sends the user back: exchanges the code and stores the workspace's tokens",
  description:
    "Checks the single-use `state`, exchanges `code` (with the PKCE verifier) for tokens, asks Linear which workspace they belong to, and stores them encrypted (AES-256-GCM). Answers with the stored connection, as `/oauth/linear/status` does.",
  request: {
    query: z.object({
      state: z.string().min(1, "is required").max(200),
      code: z.string().min(1).max(2_000).optional(),
      error: z.string().max(200).optional(),
      error_description: z.string().max(2_000).optional(),
    }),
  },
  responses: {
    200: {
      description: "The workspace is connected",
      content: { "application/json": { schema: LinearStatusResponse } },
    },
    400: problem("Missing, unknown, used or expired `state`; no `code`; or Linear refused the authorization"),
    502: problem("Linear's token endpoint or API failed"),
    503: problem("The OAuth app or TOKEN_ENCRYPTION_KEY is not configured"),
  },
});

export function callbackRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { state, code, error, error_description } = c.req.valid("query");
    const { states, store, linear } = setup;
    const oauth = setup.oauth;
    if (!oauth)
      throw new HttpError(
        "unavailable",
        "Linear OAuth is not configured: set LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET",
      );
    const pending = await states.consume(state);
    if (!pending)
      throw new HttpError(
        "bad_request",
        "state is unknown, already used or expired: start again at /oauth/linear/authorize",
      );
    if (error)
      throw new HttpError(
        "bad_request",
        `Linear did not authorize: ${error}${error_description ? ` (${error_description})` : ""}`,
      );
    if (!code) throw new HttpError("bad_request", "code is missing from Linear's redirect");
    let granted: Awaited<ReturnType<typeof oauth.exchangeCode>>;
    try {
      granted = await oauth.exchangeCode(code, pending.redirectUri, pending.codeVerifier);
    } catch (caught) {
      if (caught instanceof LinearOAuthError && caught.code === "invalid_grant") {
        throw new HttpError(
          "bad_request",
          "Linear refused the authorization code (expired or already used): start again",
        );
      }
      throw new HttpError("bad_gateway", "exchanging the code with Linear failed", { cause: caught });
    }
    const { viewer, organization } = await linear.viewerOf(granted.accessToken);
    const row = await store.connect(
      { id: organization.id, name: organization.name, urlKey: organization.urlKey, viewerId: viewer.id },
      { scopes: granted.scopes ?? pending.scopes, actor: pending.actor, tokens: granted },
    );
    c.get("logger").info(
      { workspace_id: row.workspaceId, actor: row.actor, scopes: row.scopes },
      "Linear workspace connected",
    );
    return c.json(
      { success: true as const, status: { stored: summarizeConnection(row), developerFallback: false } },
      200,
    );
  });
}
