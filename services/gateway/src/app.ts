import type { Database } from "@devtools/db/client";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import type { Registry } from "prom-client";
import pkg from "../package.json" with { type: "json" };
import type { GatewayConfig } from "./config.ts";
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

/** The public entry point: Linear OAuth and webhooks, the MCP endpoint, and the authenticated front door. */
export function createGatewayApp(deps: GatewayDependencies) {
  const app = createServiceApp({
    name: "gateway",
    version: pkg.version,
    description: "The only public entry: Linear OAuth and webhooks, the MCP endpoint, API auth.",
    logger: deps.logger,
    readiness: { database: deps.database.ping },
    metrics: deps.metrics,
  });
  // Each concern mounts here: front door (auth, CORS, headers, /api proxy), Linear, MCP.
  return app;
}
