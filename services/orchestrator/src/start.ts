import { openDatabase } from "@devtools/db/client";
import { databaseTargetFrom, describeTarget } from "@devtools/db/config";
import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { createOrchestratorApp } from "./app.ts";
import { loadConfig } from "./config.ts";

/** Opens the database (applying migrations), then serves. */
export async function start({ env, handleSignals = true }: StartOptions): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger("orchestrator", logLevelOf(config));
  const target = databaseTargetFrom(config, "orchestrator");
  const database = await openDatabase(target);
  logger.info({ database: describeTarget(target) }, "database ready, migrations applied");
  const app = createOrchestratorApp({ database, logger });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: database.close,
    handleSignals,
  });
}
