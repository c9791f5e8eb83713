import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { createGatewayApp } from "./app.ts";
import { loadConfig } from "./config.ts";

export async function start({ env, handleSignals = true }: StartOptions): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger("gateway", logLevelOf(config));
  const app = createGatewayApp({ logger });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}
