import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { LinearSetup } from "../setup.ts";
import { problem } from "./problem.ts";

// What agent mode asks for on top of the configured scopes (Linear's agent guide).
const AGENT_SCOPES = ["app:assignable", "app:mentionable"];

const route = createRoute({
  method: "get",
  path: "/oauth/linear/authorize",
  tags: ["linear"],
  summary: "Start connecting a Linear workspace: redirects to Linear's consent page",
  description:
    "Redirects to Linear's authorize URL with the configured scopes (agent mode, `LINEAR_ACTOR=app`, adds `app:assignable,app:mentionable` and `actor=app`), a single-use `state` that expires, and a PKCE S256 challenge. Linear sends the user back to `/oauth/linear/callback`.",
  responses: {
    302: { description: "To Linear's authorize page" },
    503: problem("The OAuth app (LINEAR_CLIENT_ID, LINEAR_CLIENT_SECRET) or TOKEN_ENCRYPTION_KEY is not configured"),
  },
});

export function authorizeRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { config, states, store } = setup;
    if (!config.LINEAR_CLIENT_ID || !config.LINEAR_CLIENT_SECRET) {
      throw new HttpError(
        "unavailable",
        "Linear OAuth is not configured: set LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET",
      );
    }
    // Refused before the user consents rather than after: the tokens could not be kept.
    if (!store.canStoreTokens) {
      throw new HttpError("unavailable", "TOKEN_ENCRYPTION_KEY is not set: set it to 32 random bytes (base64 or hex)");
    }
    const actor = config.LINEAR_ACTOR;
    const scopes = actor === "app" ? [...new Set([...config.LINEAR_SCOPES, ...AGENT_SCOPES])] : config.LINEAR_SCOPES;
    const { state, challenge } = await states.begin({ redirectUri: setup.redirectUri, scopes, actor });
    const target = new URL(config.LINEAR_AUTHORIZE_URL);
    target.search = new URLSearchParams({
      client_id: config.LINEAR_CLIENT_ID,
      redirect_uri: setup.redirectUri,
      response_type: "code",
      scope: scopes.join(","),
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
      ...(actor === "app" ? { actor: "app" } : {}),
    }).toString();
    return c.redirect(target.toString(), 302);
  });
}
