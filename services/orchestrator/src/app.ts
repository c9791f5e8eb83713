import type { Database } from "@devtools/db/client";
import { databaseUnavailable } from "@devtools/db/unavailable";
import type { InferenceClient } from "@devtools/inference/client";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import type { Registry } from "prom-client";
import pkg from "../package.json" with { type: "json" };
import type { ExecutionControl } from "./execution/engine.ts";
import { TaskEventNotifier } from "./execution/events.ts";
import { orchestrateRoute } from "./routes/orchestrate/post.ts";
import { cancelTaskRoute } from "./routes/tasks/cancel.ts";
import { taskEventsRoute } from "./routes/tasks/events.ts";
import { getTaskRoute } from "./routes/tasks/get.ts";
import { listTasksRoute } from "./routes/tasks/list.ts";
import { retryTaskRoute } from "./routes/tasks/retry.ts";
import { awaitTaskEnd } from "./tasks/task-end.ts";
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
  /** The execution engine, told about new, cancelled and retried tasks; without one tasks are only stored. */
  execution?: ExecutionControl;
  /** Wakes this replica's event streams; shared with the engine. */
  notifier?: TaskEventNotifier;
  /** How often event streams look for events other replicas wrote. */
  eventsPollMs?: number;
  /** Aborted when the service shuts down, to end the event streams. */
  closing?: AbortSignal;
  /** Whether task-ended callbacks can be signed (CALLBACK_SIGNING_SECRET is set); else `callback_url` is refused. */
  callbacksEnabled?: boolean;
  /** INTERNAL_TOKEN: when set, callers must present it (the gateway does). */
  internalToken?: string | undefined;
}

/** Plans requests into subtasks, stores tasks and serves their state; its readiness is its database's. */
export function createOrchestratorApp({
  database,
  logger,
  inference,
  metrics,
  plannerTimeoutMs = 30_000,
  clock = () => new Date(),
  execution,
  notifier = new TaskEventNotifier(),
  eventsPollMs = 500,
  closing,
  callbacksEnabled = false,
  internalToken,
}: OrchestratorDependencies) {
  const app = createServiceApp({
    name: "orchestrator",
    version: pkg.version,
    description: "Decomposes requests into subtasks, builds routing plans and runs them durably on the agents.",
    logger,
    readiness: { database: database.ping },
    ...(metrics ? { metrics } : {}),
    internalToken,
    unavailable: databaseUnavailable,
  });
  const commands = { database, notifier, execution };
  return app
    .route(
      "/",
      orchestrateRoute({
        writer: new TaskWriter(database, { execution }),
        clock,
        inference,
        plannerTimeoutMs,
        awaitTaskEnd: (taskId, timeoutMs, signal) =>
          awaitTaskEnd({ database, notifier, pollMs: eventsPollMs }, taskId, timeoutMs, signal),
        callbacksEnabled,
      }),
    )
    .route("/", getTaskRoute(database.db))
    .route("/", listTasksRoute(database.db))
    .route("/", cancelTaskRoute(commands))
    .route("/", retryTaskRoute(commands))
    .route("/", taskEventsRoute({ database, notifier, pollMs: eventsPollMs, closing }));
}
