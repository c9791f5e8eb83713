import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { runMain, serveApp } from "@devtools/service-kit/serve";
import { createGatewayApp } from "./app.ts";
import { loadConfig } from "./config.ts";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("gateway", logLevelOf(config));
  const app = createGatewayApp({ logger });
  await serveApp(app, { port: config.PORT, host: config.HOST, logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
});
