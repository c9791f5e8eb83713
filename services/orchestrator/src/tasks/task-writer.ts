import type { AgentType } from "@devtools/contracts/agent-type";
import type { Database } from "@devtools/db/client";
import { type ClaimedSubtask, claimedFrom, claimStatement } from "../execution/claim.ts";
import type { ExecutionControl } from "../execution/engine.ts";
import { insertTasks, insertTasksStatement, type NewTask } from "./task-store.ts";

export interface TaskWriterOptions {
  /**
   * Statements in flight at once. Two measured best (bench/http.mjs): with one the server idles while
   * a commit flushes; with more, batches shrink and each costs its own round trip and commit.
   */
  concurrency?: number;
  /** Tasks per statement at most. */
  maxBatch?: number;
  /** The engine that runs the tasks written: their first stages are claimed in the same transaction. */
  execution?: Pick<ExecutionControl, "claimWithNewTasks" | "wake"> | undefined;
}

interface Pending {
  task: NewTask;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The agent types of the subtasks a task can start with: those that depend on nothing. */
const firstStage = (task: NewTask): AgentType[] =>
  task.plan.subtasks.filter((subtask) => subtask.dependsOn.length === 0).map((subtask) => subtask.agentType);

/**
 * Group commit for new tasks. A task is written at once when a statement slot is free; tasks that
 * arrive while all slots are busy share the next statement. Under load one round trip and one
 * commit serve many requests; when idle nothing waits. Each caller still hears only once its own
 * task is durable.
 *
 * The same transaction claims the batch's first stages for the engine, so that they are dispatched
 * the moment the tasks are durable rather than a claim's round trip (and commit) later.
 */
export class TaskWriter {
  readonly #database: Database;
  readonly #concurrency: number;
  readonly #maxBatch: number;
  readonly #execution: TaskWriterOptions["execution"];
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(database: Database, { concurrency = 2, maxBatch = 64, execution }: TaskWriterOptions = {}) {
    this.#database = database;
    this.#concurrency = concurrency;
    this.#maxBatch = maxBatch;
    this.#execution = execution;
  }

  /** Resolves once the task and all its subtasks are committed. */
  write(task: NewTask): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    while (this.#inFlight < this.#concurrency && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #flush(batch: Pending[]) {
    try {
      await this.#insertAndClaim(batch.map((pending) => pending.task));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad task must not fail the others: write each on its own to learn which fail.
      await Promise.all(
        batch.map((pending) =>
          insertTasks(this.#database, [pending.task]).then(() => {
            this.#execution?.wake(firstStage(pending.task));
            pending.resolve();
          }, pending.reject),
        ),
      );
    }
  }

  async #insertAndClaim(tasks: NewTask[]): Promise<void> {
    const handOff = this.#execution?.claimWithNewTasks(tasks.flatMap(firstStage));
    const claim = handOff && claimStatement(handOff.request);
    if (!handOff || !claim) {
      handOff?.done([]);
      await this.#database.query(...insertTasksStatement(tasks));
      return;
    }
    let claimed: ClaimedSubtask[] = [];
    try {
      const [, rows = []] = await this.#database.pipeline([insertTasksStatement(tasks), claim]);
      claimed = claimedFrom(rows);
    } finally {
      handOff.done(claimed);
    }
  }
}
