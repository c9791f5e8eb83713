import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import pkg from "../package.json" with { type: "json" };

export interface GatewayDependencies {
  logger: Logger;
}

/** The public entry point. Linear OAuth, webhooks, MCP and API auth mount here. */
export function createGatewayApp({ logger }: GatewayDependencies) {
  return createServiceApp({
    name: "gateway",
    version: pkg.version,
    description: "The only public entry: Linear OAuth and webhooks, the MCP endpoint, API auth.",
    logger,
  });
}
