import type { Database } from "@devtools/db/client";
import type { InferenceClient } from "@devtools/inference/client";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import type { Registry } from "prom-client";
import pkg from "../package.json" with { type: "json" };
import { orchestrateRoute } from "./routes/orchestrate/post.ts";
import { getTaskRoute } from "./routes/tasks/get.ts";
import { listTasksRoute } from "./routes/tasks/list.ts";
import { TaskWriter } from "./tasks/task-writer.ts";

export interface OrchestratorDependencies {
  database: Database;
  logger: Logger;
  /** The model planner's backend; without one every task is planned by the rules. */
  inference?: InferenceClient;
  /** The service's metrics registry, shared with the inference client. */
  metrics?: Registry;
  /** How long `POST /orchestrate` waits for the model to plan before the rules take over. */
  plannerTimeoutMs?: number;
  clock?: () => Date;
}

/** Plans requests into subtasks and stores tasks; its readiness is its database's. */
export function createOrchestratorApp({
  database,
  logger,
  inference,
  metrics,
  plannerTimeoutMs = 30_000,
  clock = () => new Date(),
}: OrchestratorDependencies) {
  const app = createServiceApp({
    name: "orchestrator",
    version: pkg.version,
    description: "Decomposes requests into subtasks, builds routing plans and stores task state.",
    logger,
    readiness: { database: database.ping },
    ...(metrics ? { metrics } : {}),
  });
  return app
    .route("/", orchestrateRoute({ writer: new TaskWriter(database), clock, inference, plannerTimeoutMs }))
    .route("/", getTaskRoute(database.db))
    .route("/", listTasksRoute(database.db));
}
