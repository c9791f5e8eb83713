import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_CLIENT_ID = "fake-client-id";
export const FAKE_CLIENT_SECRET = "fake-client-secret-do-not-log";
export const FAKE_WORKSPACE = { id: "org-1", name: "Acme", urlKey: "acme" };
export const FAKE_VIEWER = { id: "app-user-1", name: "devtools" };

interface Authorization {
  params: URLSearchParams;
  code: string;
}

/** Every GraphQL call the fake received: its operation, variables and Authorization header. */
export interface GraphQLCall {
  operation: string;
  variables: Record<string, unknown>;
  authorization: string | undefined;
  /** Whether the fake took the credentials (else it answered 401). */
  accepted: boolean;
}

const token = (kind: string) => `${kind}_${randomBytes(18).toString("hex")}`;

/**
 * A Linear stand-in: the OAuth authorize/token/revoke endpoints (checking the client secret, the
 * redirect URI and the PKCE verifier against the challenge; rotating refresh tokens) and the GraphQL
 * operations the gateway sends, answering 401 to tokens it does not hold. It records what it received.
 */
export async function startFakeLinear(options: { apiKey?: string; expiresInSeconds?: number } = {}) {
  const authorizations: Authorization[] = [];
  const tokenRequests: URLSearchParams[] = [];
  const revocations: URLSearchParams[] = [];
  const graphql: GraphQLCall[] = [];
  const accessTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  /** Every token the fake ever issued, to look for in logs and rows. */
  const issued: string[] = [];
  const state = { expiresInSeconds: options.expiresInSeconds ?? 86_400, refreshDelayMs: 0 };

  const issuePair = () => {
    const pair = { access_token: token("lin_oauth"), refresh_token: token("lin_refresh") };
    accessTokens.add(pair.access_token);
    refreshTokens.add(pair.refresh_token);
    issued.push(pair.access_token, pair.refresh_token);
    return { ...pair, token_type: "Bearer", expires_in: state.expiresInSeconds, scope: "read write" };
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method === "GET" && url.pathname === "/oauth/authorize") {
      const code = token("code");
      authorizations.push({ params: url.searchParams, code });
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }
    if (request.method === "POST" && url.pathname === "/oauth/token") {
      const form = new URLSearchParams(body);
      tokenRequests.push(form);
      if (form.get("client_id") !== FAKE_CLIENT_ID || form.get("client_secret") !== FAKE_CLIENT_SECRET) {
        return json(response, 401, { error: "invalid_client" });
      }
      if (form.get("grant_type") === "authorization_code") {
        const authorization = authorizations.find((each) => each.code === form.get("code"));
        const challenge = createHash("sha256")
          .update(form.get("code_verifier") ?? "")
          .digest("base64url");
        if (
          !authorization ||
          authorization.params.get("redirect_uri") !== form.get("redirect_uri") ||
          authorization.params.get("code_challenge") !== challenge
        ) {
          return json(response, 400, { error: "invalid_grant", error_description: "code, redirect or verifier" });
        }
        authorization.code = "used";
        return json(response, 200, issuePair());
      }
      if (form.get("grant_type") === "refresh_token") {
        await new Promise((resolve) => setTimeout(resolve, state.refreshDelayMs));
        const refresh = form.get("refresh_token") ?? "";
        if (!refreshTokens.delete(refresh)) return json(response, 400, { error: "invalid_grant" });
        return json(response, 200, issuePair());
      }
      return json(response, 400, { error: "unsupported_grant_type" });
    }
    if (request.method === "POST" && url.pathname === "/oauth/revoke") {
      const form = new URLSearchParams(body);
      revocations.push(form);
      accessTokens.delete(form.get("token") ?? "");
      refreshTokens.delete(form.get("token") ?? "");
      response.writeHead(200);
      return response.end();
    }
    if (request.method === "POST" && url.pathname === "/graphql") {
      const { operationName, variables } = JSON.parse(body) as {
        operationName: string;
        variables: Record<string, unknown>;
      };
      const authorization = request.headers.authorization;
      const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
      const allowed = bearer
        ? accessTokens.has(bearer)
        : options.apiKey !== undefined && authorization === options.apiKey;
      graphql.push({ operation: operationName, variables, authorization, accepted: allowed });
      if (!allowed) {
        return json(response, 401, {
          errors: [{ message: "Authentication required", extensions: { code: "AUTHENTICATION_ERROR" } }],
        });
      }
      return json(response, 200, { data: answer(operationName, variables) });
    }
    response.writeHead(404);
    response.end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: {
      LINEAR_CLIENT_ID: FAKE_CLIENT_ID,
      LINEAR_CLIENT_SECRET: FAKE_CLIENT_SECRET,
      LINEAR_AUTHORIZE_URL: `${url}/oauth/authorize`,
      LINEAR_TOKEN_URL: `${url}/oauth/token`,
      LINEAR_REVOKE_URL: `${url}/oauth/revoke`,
      LINEAR_API_URL: `${url}/graphql`,
    },
    authorizations,
    tokenRequests,
    revocations,
    graphql,
    issued,
    state,
    /** Makes Linear refuse every access token issued so far, as it does when they expire. */
    expireAccessTokens: () => accessTokens.clear(),
    /** Makes Linear forget every refresh token, as when the app is uninstalled. */
    forgetRefreshTokens: () => refreshTokens.clear(),
    grants: (type: string) => tokenRequests.filter((form) => form.get("grant_type") === type).length,
    /** The calls of `operation` the fake carried out (not those it refused with 401). */
    calls: (operation: string) => graphql.filter((call) => call.operation === operation && call.accepted),
    refused: (operation: string) => graphql.filter((call) => call.operation === operation && !call.accepted).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type FakeLinear = Awaited<ReturnType<typeof startFakeLinear>>;

let sequence = 0;

function answer(operation: string, variables: Record<string, unknown>): unknown {
  const issue = {
    id: "issue-1",
    identifier: "ENG-1",
    title: "Add login",
    url: "https://linear.app/acme/issue/ENG-1",
    state: { name: "Todo" },
  };
  switch (operation) {
    case "Viewer":
      return { viewer: FAKE_VIEWER, organization: FAKE_WORKSPACE };
    case "SearchIssues":
      return { searchIssues: { nodes: [issue] } };
    case "IssueCreate":
      return { issueCreate: { success: true, issue } };
    case "CommentCreate":
      sequence += 1;
      return {
        commentCreate: {
          success: true,
          comment: { id: `comment-${sequence}`, url: `https://linear.app/c/${sequence}` },
        },
      };
    case "AgentActivityCreate":
      sequence += 1;
      return { agentActivityCreate: { success: true, agentActivity: { id: `activity-${sequence}` } } };
    default:
      throw new Error(`the fake Linear does not know ${operation} (${JSON.stringify(variables)})`);
  }
}
