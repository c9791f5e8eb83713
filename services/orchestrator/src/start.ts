import { hostname } from "node:os";
import { openDatabase } from "@devtools/db/client";
import { databaseTargetFrom, describeTarget } from "@devtools/db/config";
import { InferenceClient } from "@devtools/inference/client";
import { inferenceConfigFrom } from "@devtools/inference/config";
import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { Registry } from "prom-client";
import { createOrchestratorApp } from "./app.ts";
import { agentUrlsFrom, loadConfig } from "./config.ts";
import { CallbackDeliverer } from "./execution/callbacks.ts";
import { HttpAgentDispatcher } from "./execution/dispatcher/agent-client.ts";
import { ExecutionEngine } from "./execution/engine.ts";
import { TaskEventNotifier } from "./execution/events.ts";

/**
 * Opens the database (applying migrations), connects the model planner when a backend is configured,
 * serves, then starts the execution engine. Shutdown ends the event streams and stops claiming at
 * once, lets dispatches in flight finish within SHUTDOWN_TIMEOUT_MS, and releases the rest.
 */
export async function start({ env, handleSignals = true }: StartOptions): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger("orchestrator", logLevelOf(config), { redactPaths: config.LOG_REDACT_PATHS });
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
  const notifier = new TaskEventNotifier();
  const closing = new AbortController();
  let engine: ExecutionEngine | undefined;
  const app = createOrchestratorApp({
    database,
    logger,
    metrics,
    ...(inference ? { inference } : {}),
    plannerTimeoutMs: config.PLANNER_TIMEOUT_MS,
    // The engine starts once the server listens (its lease owner names the port).
    execution: {
      wake: (agentTypes) => engine?.wake(agentTypes),
      claimWithNewTasks: (agentTypes) => engine?.claimWithNewTasks(agentTypes),
      taskCancelled: (taskId, subtasks) => engine?.taskCancelled(taskId, subtasks),
    },
    notifier,
    eventsPollMs: config.TASK_EVENTS_POLL_MS,
    closing: closing.signal,
    callbacksEnabled: config.CALLBACK_SIGNING_SECRET !== undefined,
    internalToken: config.INTERNAL_TOKEN,
  });
  const running = await serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      await engine?.stop(config.SHUTDOWN_TIMEOUT_MS);
      await inference?.close();
      await database.close();
    },
    // Event streams end and claiming stops before the server waits for its connections.
    beforeClose: () => {
      closing.abort();
      engine?.beginStop(config.SHUTDOWN_TIMEOUT_MS);
    },
    handleSignals,
  });
  if (config.EXECUTION_CONCURRENCY > 0) {
    const agents = agentUrlsFrom(config);
    engine = new ExecutionEngine({
      database,
      dispatcher: new HttpAgentDispatcher(agents, {
        connectionsPerAgent: config.AGENT_CONCURRENCY,
        internalToken: config.INTERNAL_TOKEN,
      }),
      notifier,
      logger,
      registry: metrics,
      instance: `${hostname()}:${running.port}`,
      ...(config.CALLBACK_SIGNING_SECRET
        ? {
            callbacks: new CallbackDeliverer({
              database,
              secret: config.CALLBACK_SIGNING_SECRET,
              logger,
              limits: {
                maxAttempts: config.CALLBACK_MAX_ATTEMPTS,
                baseDelayMs: config.CALLBACK_RETRY_BASE_MS,
                maxDelayMs: config.CALLBACK_RETRY_MAX_MS,
                timeoutMs: config.CALLBACK_TIMEOUT_MS,
                batch: 16,
              },
            }),
          }
        : {}),
      limits: {
        concurrency: config.EXECUTION_CONCURRENCY,
        agentConcurrency: config.AGENT_CONCURRENCY,
        leaseMs: config.LEASE_MS,
        pollMs: config.EXECUTION_POLL_MS,
        subtaskTimeoutMs: config.SUBTASK_TIMEOUT_MS,
        retry: {
          maxAttempts: config.SUBTASK_MAX_ATTEMPTS,
          baseDelayMs: config.SUBTASK_RETRY_BASE_MS,
          maxDelayMs: config.SUBTASK_RETRY_MAX_MS,
        },
      },
    });
    await engine.start();
    logger.info({ agents }, "executing plans on the agents");
  } else {
    logger.info("EXECUTION_CONCURRENCY=0: this replica plans and serves tasks but runs none");
  }

  return running;
}
