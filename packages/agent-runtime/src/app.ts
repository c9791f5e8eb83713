import type { AgentType } from "@devtools/contracts/agent-type";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import { Registry } from "prom-client";
import type { AgentDefinition } from "./agent.ts";
import { InferenceNotConfiguredError } from "./errors.ts";
import { Executions } from "./executions.ts";
import { AgentExecutor, type AgentInference } from "./executor.ts";
import { type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency-store.ts";
import { AgentMetrics } from "./metrics.ts";
import { capabilitiesRoute } from "./routes/capabilities/get.ts";
import { executePostRoute } from "./routes/execute/post.ts";
import { executeStreamPostRoute } from "./routes/execute/stream.ts";

export interface AgentDependencies {
  logger: Logger;
  version: string;
  /** The model, or why there is none (the agent then serves, is not ready, and answers /execute with 503). */
  inference?: AgentInference;
  /** The service's registry; give the same one to the inference client. */
  metrics?: Registry;
  /** Where finished executions are kept by idempotency key. Default: this process's memory. */
  store?: IdempotencyStore;
  /** INTERNAL_TOKEN: when set, callers (the orchestrator, the gateway) must present it. */
  internalToken?: string | undefined;
}

const NOT_CONFIGURED: AgentInference = { missing: ["INFERENCE_BASE_URL (or INFERENCE_BACKENDS) is not set"] };

/**
 * Builds an agent's app from its definition: the service kit's app (health, readiness of the
 * inference backend, metrics, docs) with GET /capabilities, POST /execute and POST /execute/stream.
 */
export function createAgentApp<Type extends AgentType>(
  definition: AgentDefinition<Type>,
  dependencies: AgentDependencies,
) {
  const { logger, version } = dependencies;
  const inference = dependencies.inference ?? NOT_CONFIGURED;
  const registry = dependencies.metrics ?? new Registry();
  const metrics = new AgentMetrics(registry, definition.type);
  const executor = new AgentExecutor(definition, { inference, metrics, logger });
  const executions = new Executions({
    store: dependencies.store ?? new MemoryIdempotencyStore(),
    execute: (request, context) => executor.execute(request, context),
    onReplay: (source) => metrics.replayed(source),
    onStoreError: (error) => logger.warn({ err: error }, "idempotency store failed; answering without it"),
  });
  const requireInference = () => {
    if ("missing" in inference) throw new InferenceNotConfiguredError(inference.missing);
  };

  const app = createServiceApp({
    name: definition.type,
    version,
    description: definition.description,
    logger,
    metrics: registry,
    internalToken: dependencies.internalToken,
    readiness: {
      inference: async () => {
        requireInference();
        if ("client" in inference && !(await inference.client.ready())) {
          throw new Error("no inference backend answers GET /models");
        }
      },
    },
  });
  const dependenciesOfRoutes = { type: definition.type, executions, requireInference };
  return app
    .route("/", capabilitiesRoute(definition, version))
    .route("/", executePostRoute(dependenciesOfRoutes))
    .route("/", executeStreamPostRoute(dependenciesOfRoutes));
}
