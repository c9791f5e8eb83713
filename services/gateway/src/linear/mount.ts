import type { LinearOperations } from "@devtools/contracts/linear";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayDependencies } from "../app.ts";
import { LinearConnectionStore } from "./connection-store.ts";
import { LinearClient } from "./linear-client.ts";
import { LinearCredentials } from "./linear-credentials.ts";
import { LinearGraphQL } from "./linear-graphql.ts";
import { LinearOAuthClient } from "./linear-oauth-client.ts";
import { OAuthStateStore } from "./oauth-state-store.ts";
import { authorizeRoute } from "./routes/authorize.ts";
import { callbackRoute } from "./routes/callback.ts";
import { revokeRoute } from "./routes/revoke.ts";
import { statusRoute } from "./routes/status.ts";
import { taskEndedPath, taskEndedRoute } from "./routes/task-ended.ts";
import { webhookRoute } from "./routes/webhook.ts";
import type { LinearSetup } from "./setup.ts";
import { TaskReporter } from "./task-reporter.ts";
import { TaskStarter } from "./task-starter.ts";
import { TokenCipher } from "./token-cipher.ts";

export interface MountedLinear {
  /** Issues, comments… in the connected workspace; what the MCP Linear tools call. */
  operations: LinearOperations;
  close: () => Promise<void>;
}

// Access tokens last 24 h; refreshing this long before expiry keeps calls from meeting an expired one.
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Mounts Linear OAuth (`/oauth/linear/*`), Linear's webhooks (`/webhooks/linear`) and the
 * orchestrator's callbacks for tasks started from Linear (`/callbacks/linear/{link}`); starts the
 * worker that starts those tasks. The operations use LINEAR_WORKSPACE_ID's connection, else the most
 * recently connected workspace, else LINEAR_API_KEY.
 */
export function mountLinear(app: OpenAPIHono, deps: GatewayDependencies): MountedLinear {
  const { config, database, logger: rootLogger, orchestrator } = deps;
  const logger = rootLogger.child({ component: "linear" });
  const gatewayUrl = (config.MCP_GATEWAY_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
  const store = new LinearConnectionStore(
    database.query,
    config.TOKEN_ENCRYPTION_KEY ? new TokenCipher(config.TOKEN_ENCRYPTION_KEY) : undefined,
  );
  const oauth =
    config.LINEAR_CLIENT_ID && config.LINEAR_CLIENT_SECRET
      ? new LinearOAuthClient({
          clientId: config.LINEAR_CLIENT_ID,
          clientSecret: config.LINEAR_CLIENT_SECRET,
          tokenUrl: config.LINEAR_TOKEN_URL,
          revokeUrl: config.LINEAR_REVOKE_URL,
        })
      : undefined;
  const credentials = new LinearCredentials({
    store,
    oauth,
    apiKey: config.LINEAR_API_KEY,
    pinnedWorkspaceId: config.LINEAR_WORKSPACE_ID,
    refreshMarginMs: REFRESH_MARGIN_MS,
    logger,
  });
  const linear = new LinearClient(new LinearGraphQL(config.LINEAR_API_URL), credentials);
  const reporter = new TaskReporter({
    database,
    linear,
    orchestrator,
    // The task as the gateway's `/api` proxy serves it from the orchestrator.
    taskUrl: (taskId) => `${gatewayUrl}/api/orchestrator/tasks/${taskId}`,
    logger,
  });
  const starter = new TaskStarter({
    database,
    linear,
    orchestrator,
    reporter,
    callbackUrl: (linkId) => `${gatewayUrl}${taskEndedPath(linkId)}`,
    logger,
  });
  const setup: LinearSetup = {
    config,
    database,
    store,
    states: new OAuthStateStore(database.query, config.LINEAR_OAUTH_STATE_TTL_SECONDS),
    oauth,
    linear,
    starter,
    reporter,
    redirectUri: config.LINEAR_REDIRECT_URI ?? `${gatewayUrl}/oauth/linear/callback`,
  };
  app
    .route("/", authorizeRoute(setup))
    .route("/", callbackRoute(setup))
    .route("/", statusRoute(setup))
    .route("/", revokeRoute(setup))
    .route("/", webhookRoute(setup))
    .route("/", taskEndedRoute(setup));
  // Links recorded before a restart, or by a replica that died, start without waiting for the first poll.
  starter.wake();
  return { operations: linear, close: () => starter.stop() };
}
