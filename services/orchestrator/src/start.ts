import { openDatabase } from "@devtools/db/client";
import { databaseTargetFrom, describeTarget } from "@devtools/db/config";
import { InferenceClient } from "@devtools/inference/client";
import { inferenceConfigFrom } from "@devtools/inference/config";
import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { Registry } from "prom-client";
import { createOrchestratorApp } from "./app.ts";
import { loadConfig } from "./config.ts";

/** Opens the database (applying migrations), connects the model planner when a backend is configured, then serves. */
export async function start({ env, handleSignals = true }: StartOptions): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger("orchestrator", logLevelOf(config));
  const target = databaseTargetFrom(config, "orchestrator");
  const database = await openDatabase(target);
  logger.info({ database: describeTarget(target) }, "database ready, migrations applied");
  const metrics = new Registry();
  const configured = config.INFERENCE_BASE_URL || config.INFERENCE_BACKENDS;
  const inference = configured
    ? new InferenceClient({ config: inferenceConfigFrom(config), registry: metrics, logger })
    : undefined;
  logger.info(
    { planner: inference ? "llm (auto), rules as fallback" : "rules (no inference backend configured)" },
    "planner ready",
  );
  const app = createOrchestratorApp({
    database,
    logger,
    metrics,
    ...(inference ? { inference } : {}),
    plannerTimeoutMs: config.PLANNER_TIMEOUT_MS,
  });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      await inference?.close();
      await database.close();
    },
    handleSignals,
  });
}
