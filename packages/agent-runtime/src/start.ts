import { SERVICES } from "@devtools/contracts/services";
import { logLevelOf, parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { type AgentDefinition, createAgentApp } from "./agent.ts";

/** Parses the agent's environment, builds its app and listens on its port (8002–8006 by default). */
export async function startAgent(
  definition: AgentDefinition,
  version: string,
  options: StartOptions,
): Promise<RunningService> {
  const environment = serviceEnvironment.extend({
    PORT: serviceEnvironment.shape.PORT.default(SERVICES[definition.type].port),
  });
  const config = parseEnvironment(environment, options.env);
  const logger = createLogger(definition.type, logLevelOf(config));
  const app = createAgentApp(definition, { logger, version });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals: options.handleSignals ?? true,
  });
}
