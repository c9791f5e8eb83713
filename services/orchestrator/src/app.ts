import type { Database } from "@devtools/db/client";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import pkg from "../package.json" with { type: "json" };
import { orchestrateRoute } from "./routes/orchestrate/post.ts";
import { getTaskRoute } from "./routes/tasks/get.ts";
import { listTasksRoute } from "./routes/tasks/list.ts";
import { TaskWriter } from "./tasks/task-writer.ts";

export interface OrchestratorDependencies {
  database: Database;
  logger: Logger;
  clock?: () => Date;
}

/** Plans requests into subtasks and stores tasks; its readiness is its database's. */
export function createOrchestratorApp({ database, logger, clock = () => new Date() }: OrchestratorDependencies) {
  const app = createServiceApp({
    name: "orchestrator",
    version: pkg.version,
    description: "Decomposes requests into subtasks, builds routing plans and stores task state.",
    logger,
    readiness: { database: database.ping },
  });
  return app
    .route("/", orchestrateRoute(new TaskWriter(database), clock))
    .route("/", getTaskRoute(database.db))
    .route("/", listTasksRoute(database.db));
}
