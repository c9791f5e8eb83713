import type { Database } from "@devtools/db/client";
import type { GatewayConfig } from "../config.ts";
import type { LinearConnectionStore } from "./connection-store.ts";
import type { LinearClient } from "./linear-client.ts";
import type { LinearOAuthClient } from "./linear-oauth-client.ts";
import type { OAuthStateStore } from "./oauth-state-store.ts";
import type { TaskReporter } from "./task-reporter.ts";
import type { TaskStarter } from "./task-starter.ts";

/** What the Linear routes share, built once by `mountLinear`. */
export interface LinearSetup {
  config: GatewayConfig;
  database: Database;
  store: LinearConnectionStore;
  states: OAuthStateStore;
  /** Undefined until LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET are set. */
  oauth: LinearOAuthClient | undefined;
  linear: LinearClient;
  starter: TaskStarter;
  reporter: TaskReporter;
  /** LINEAR_REDIRECT_URI, or the gateway's own `/oauth/linear/callback`. */
  redirectUri: string;
}
