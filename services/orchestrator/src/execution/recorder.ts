import { setTimeout as delay } from "node:timers/promises";
import type { Database } from "@devtools/db/client";
import type { Logger } from "@devtools/service-kit/logger";
import type { TaskEventNotifier } from "./events.ts";
import type { ExecutionMetrics } from "./metrics.ts";
import { type Lease, type Settled, type SettleOptions, type SubtaskOutcome, settleSubtask } from "./settle.ts";

const TRIES = 5;

/**
 * Records dispatch outcomes: the transaction (retried while the database is unreachable — the
 * dispatch stays in flight meanwhile, so its lease is still renewed), then, once it is durable, the
 * event streams' wake-up and the metrics.
 */
export class OutcomeRecorder {
  readonly #database: Database;
  readonly #metrics: ExecutionMetrics;
  readonly #notifier: TaskEventNotifier;
  readonly #logger: Logger;
  readonly #taskEnded: () => void;

  constructor(dependencies: {
    database: Database;
    metrics: ExecutionMetrics;
    notifier: TaskEventNotifier;
    logger: Logger;
    /** Told once an outcome that ended its task is durable (its callback may be due). */
    taskEnded?: () => void;
  }) {
    this.#taskEnded = dependencies.taskEnded ?? (() => {});
    this.#database = dependencies.database;
    this.#metrics = dependencies.metrics;
    this.#notifier = dependencies.notifier;
    this.#logger = dependencies.logger;
  }

  /** Undefined when the database could not be reached: the lease will expire and the subtask run again. */
  async record(lease: Lease, outcome: SubtaskOutcome, options?: SettleOptions): Promise<Settled | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const settled = await settleSubtask(this.#database, lease, outcome, options);
        if (settled.recorded) this.#recorded(lease, outcome, settled);
        return settled;
      } catch (error) {
        if (attempt >= TRIES) {
          this.#logger.error(
            { err: error, subtask_id: lease.subtaskId, outcome: outcome.kind },
            "could not record the outcome; the lease will expire and the subtask be dispatched again (the agent replays its result)",
          );
          return undefined;
        }
        await delay(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  }

  #recorded(lease: Lease, outcome: SubtaskOutcome, settled: Settled): void {
    this.#notifier.notify([lease.taskId], { ended: settled.taskStatus !== undefined });
    if (outcome.kind === "succeeded") {
      this.#metrics.subtaskEnded(lease.agentType, "succeeded");
      this.#metrics.tokens(lease.agentType, outcome.result.model, outcome.result.usage);
    } else if (outcome.kind === "failed") {
      this.#metrics.subtaskEnded(lease.agentType, "failed");
    }
    for (const agentType of settled.skipped) this.#metrics.subtaskEnded(agentType, "skipped");
    if (settled.taskStatus) {
      this.#metrics.taskFinished(settled.taskStatus);
      this.#taskEnded();
    }
  }
}
