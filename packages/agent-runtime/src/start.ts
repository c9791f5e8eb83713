import type { AgentType } from "@devtools/contracts/agent-type";
import { InferenceClient } from "@devtools/inference/client";
import { InferenceConfigError, inferenceConfigFrom } from "@devtools/inference/config";
import { logLevelOf } from "@devtools/service-kit/config";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, type StartOptions, serveApp } from "@devtools/service-kit/serve";
import { Registry } from "prom-client";
import type { AgentDefinition } from "./agent.ts";
import { createAgentApp } from "./app.ts";
import { loadAgentConfig } from "./config.ts";
import type { AgentInference } from "./executor.ts";
import { type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency-store.ts";

/**
 * Parses the agent's environment, connects its inference client (when a backend is configured),
 * builds its app and listens on its port (8002–8006 by default). `store` replaces the in-memory
 * idempotency store (a shared one, for replicas behind one address).
 */
export async function startAgent<Type extends AgentType>(
  definition: AgentDefinition<Type>,
  version: string,
  options: StartOptions,
  { store }: { store?: IdempotencyStore } = {},
): Promise<RunningService> {
  const config = loadAgentConfig(definition.type, options.env);
  const logger = createLogger(definition.type, logLevelOf(config), { redactPaths: config.LOG_REDACT_PATHS });
  const metrics = new Registry();
  let inference: AgentInference;
  try {
    inference = {
      client: new InferenceClient({ config: inferenceConfigFrom(config), registry: metrics, logger }),
    };
  } catch (error) {
    if (!(error instanceof InferenceConfigError)) throw error;
    inference = { missing: error.problems };
    logger.warn({ problems: error.problems }, "no inference backend configured: not ready, /execute answers 503");
  }
  const app = createAgentApp(definition, {
    logger,
    version,
    inference,
    metrics,
    internalToken: config.INTERNAL_TOKEN,
    store:
      store ??
      new MemoryIdempotencyStore({ ttlMs: config.IDEMPOTENCY_TTL_MS, maxEntries: config.IDEMPOTENCY_MAX_ENTRIES }),
  });
  return serveApp(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      if ("client" in inference) await inference.client.close();
    },
    handleSignals: options.handleSignals ?? true,
  });
}
