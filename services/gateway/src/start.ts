import { openDatabase } from "@devtools/db/client";
import { databaseTargetFrom, describeTarget } from "@devtools/db/config";
import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { Registry } from "prom-client";
import { createGatewayApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { OrchestratorClient } from "./upstream/orchestrator-client.ts";
import { upstreamUrlsFrom } from "./upstream/urls.ts";

export async function start({ env, handleSignals = true }: StartOptions): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger("gateway", logLevelOf(config), { redactPaths: config.LOG_REDACT_PATHS });
  const target = databaseTargetFrom(config, "gateway");
  const database = await openDatabase(target);
  logger.info({ database: describeTarget(target) }, "database ready, migrations applied");
  const upstreams = upstreamUrlsFrom(config);
  const orchestrator = new OrchestratorClient(upstreams.orchestrator, { internalToken: config.INTERNAL_TOKEN });
  const closing = new AbortController();
  const { app, close } = createGatewayApp({
    config,
    logger,
    database,
    metrics: new Registry(),
    orchestrator,
    upstreams,
    closing: closing.signal,
  });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    beforeClose: () => closing.abort(),
    onShutdown: async () => {
      await close();
      await orchestrator.close();
      await database.close();
    },
    handleSignals,
  });
}
