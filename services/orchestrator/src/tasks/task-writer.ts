import type { Database } from "@devtools/db/client";
import { insertTasks, type NewTask } from "./task-store.ts";

export interface TaskWriterOptions {
  /**
   * Statements in flight at once. Two measured best (bench/http.mjs): with one the server idles while
   * a commit flushes; with more, batches shrink and each costs its own round trip and commit.
   */
  concurrency?: number;
  /** Tasks per statement at most. */
  maxBatch?: number;
}

interface Pending {
  task: NewTask;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for new tasks. A task is written at once when a statement slot is free; tasks that
 * arrive while all slots are busy share the next statement. Under load one round trip and one
 * commit serve many requests; when idle nothing waits. Each caller still hears only once its own
 * task is durable.
 */
export class TaskWriter {
  readonly #database: Database;
  readonly #concurrency: number;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(database: Database, { concurrency = 2, maxBatch = 64 }: TaskWriterOptions = {}) {
    this.#database = database;
    this.#concurrency = concurrency;
    this.#maxBatch = maxBatch;
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
      await insertTasks(
        this.#database,
        batch.map((pending) => pending.task),
      );
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad task must not fail the others: write each on its own to learn which fail.
      await Promise.all(
        batch.map((pending) => insertTasks(this.#database, [pending.task]).then(pending.resolve, pending.reject)),
      );
    }
  }
}
