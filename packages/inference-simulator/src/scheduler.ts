interface Waiter {
  grant: (release: () => void) => void;
}

/**
 * vLLM's admission rule without the GPU: at most `maxNumSeqs` sequences run at once and the rest
 * wait in arrival order. `running` and `waiting` are exact at every instant; a freed slot passes
 * straight to the oldest waiter.
 */
export class Scheduler {
  readonly maxNumSeqs: number;
  #running = 0;
  #maxRunning = 0;
  readonly #waiting: Waiter[] = [];

  constructor(maxNumSeqs: number) {
    this.maxNumSeqs = maxNumSeqs;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** The highest `running` ever reached: lets tests prove the limit held between samples. */
  get maxRunningObserved(): number {
    return this.#maxRunning;
  }

  /**
   * Resolves with a release function once the sequence may run. Rejects with the signal's reason
   * if `signal` aborts first; the request then leaves the queue without ever running.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.maxNumSeqs && this.#waiting.length === 0) {
      this.#running++;
      this.#maxRunning = Math.max(this.#maxRunning, this.#running);
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot moves to the next waiter as is, so `running` never dips and overshoots.
      if (next) next.grant(this.#releaser());
      else this.#running--;
    };
  }
}
