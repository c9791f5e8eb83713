/**
 * A timer whose expiry aborts a signal. A stream restarts it on each chunk and pauses it while the
 * consumer holds a chunk, so that it measures the backend's silence, not the consumer's pace.
 */
export class Deadline {
  readonly ms: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.ms = ms;
    this.restart();
  }

  /** Aborts when the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts the full period again from now. */
  restart(): void {
    this.pause();
    if (this.#controller.signal.aborted) return;
    this.#timer = setTimeout(() => this.#controller.abort(new Error(`deadline of ${this.ms} ms passed`)), this.ms);
  }

  /** Stops the clock until the next restart. */
  pause(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
