import type { Database } from "@devtools/db/client";
import { databaseUnavailable } from "@devtools/db/unavailable";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import type { Registry } from "prom-client";
import pkg from "../package.json" with { type: "json" };
import type { GatewayConfig } from "./config.ts";
import { mountFrontDoor } from "./front-door/mount.ts";
import { mountLinear } from "./linear/mount.ts";
import { mountMcp } from "./mcp/mount.ts";
import { mountUi } from "./ui/mount.ts";
import type { OrchestratorClient } from "./upstream/orchestrator-client.ts";
import type { UpstreamName } from "./upstream/urls.ts";

export interface GatewayDependencies {
  config: GatewayConfig;
  logger: Logger;
  /** The gateway's own state: Linear connections, OAuth states, API keys, webhook deliveries. */
  database: Database;
  metrics: Registry;
  orchestrator: OrchestratorClient;
  /** The internal services' base URLs. */
  upstreams: Record<UpstreamName, string>;
  /** Aborted when the service shuts down. */
  closing: AbortSignal;
}

/**
 * The public entry point: the front door (headers, CORS, API keys, rate limits, the `/api` proxy)
 * first, so that it guards what mounts after it; then Linear OAuth and webhooks, then MCP.
 * `close` releases what the concerns hold (pools, timers) at shutdown.
 */
export function createGatewayApp(deps: GatewayDependencies) {
  const app = createServiceApp({
    name: "gateway",
    version: pkg.version,
    description: "The only public entry: Linear OAuth and webhooks, the MCP endpoint, API auth.",
    logger: deps.logger,
    readiness: { database: deps.database.ping },
    metrics: deps.metrics,
    unavailable: databaseUnavailable,
  });
  const closeFrontDoor = mountFrontDoor(app, deps);
  // The web view's shell is public; its data comes through the front door's /api with the user's key.
  mountUi(app, deps);
  const linear = mountLinear(app, deps);
  const closeMcp = mountMcp(app, { ...deps, linear: linear.operations });
  const close = async () => {
    await Promise.all([closeMcp(), linear.close(), closeFrontDoor()]);
  };
  return { app, close };
}
