import type { Logger } from "./logger.ts";

export interface BatchWorkerOptions {
  /** Claims up to `batch` items of due work and does them; answers how many it claimed. */
  round: () => Promise<number>;
  batch: number;
  logger: Logger;
  /** What the work is, for the log line when a round fails ("delivering callbacks"). */
  what: string;
  /** Wakes itself this often, for work nobody woke it for; without it only `wake` runs it. */
  pollMs?: number;
}

/**
 * Background work claimed in batches from the database (`skip locked`): `wake` runs rounds while
 * they come back full; wakes that arrive during a run coalesce into one more run. A failed round is
 * logged and left to the next wake.
 */
export class BatchWorker {
  readonly #options: BatchWorkerOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: BatchWorkerOptions) {
    this.#options = options;
    if (options.pollMs !== undefined) {
      this.#timer = setInterval(() => this.wake(), options.pollMs);
      this.#timer.unref();
    }
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#runs().finally(() => {
      this.#running = undefined;
    });
  }

  /** Starts nothing more and waits for the run in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #runs(): Promise<void> {
    const { round, batch, logger, what } = this.#options;
    do {
      this.#again = false;
      try {
        // A full batch may mean more are due.
        let claimed = batch;
        while (!this.#stopped && claimed === batch) claimed = await round();
      } catch (error) {
        logger.warn({ err: error }, `${what} failed; retrying at the next wake`);
        return;
      }
    } while (this.#again && !this.#stopped);
  }
}
