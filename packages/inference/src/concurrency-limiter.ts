/** What a limiter reports as it works, for metrics; deltas so that several limiters can share one gauge. */
export interface LimiterEvents {
  inFlightChanged?(delta: number): void;
  queueDepthChanged?(delta: number): void;
  /** Seconds a request waited for its slot (0 when one was free). */
  waited?(seconds: number): void;
}

interface Waiter {
  grant: () => void;
  enqueuedAt: number;
}

/** Gives back a slot; calling it again does nothing. */
export type Release = () => void;

/**
 * At most `limit` holders at once; the others wait in FIFO order. A released slot passes straight to
 * the oldest waiter, so a newcomer can never overtake the queue.
 */
export class ConcurrencyLimiter {
  readonly limit: number;
  #inFlight = 0;
  #maxInFlight = 0;
  readonly #queue: Waiter[] = [];
  readonly #events: LimiterEvents;

  constructor(limit: number, events: LimiterEvents = {}) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.limit = limit;
    this.#events = events;
  }

  /** Slots taken now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The most slots ever taken at once, a witness that the limit held. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** (in flight + queued) / limit: how busy this is relative to its size. */
  get load(): number {
    return (this.#inFlight + this.#queue.length) / this.limit;
  }

  /**
   * Resolves with a release function once a slot is free. An aborted `signal` takes the request out
   * of the queue and rejects with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    if (this.#inFlight < this.limit && this.#queue.length === 0) {
      this.#take();
      this.#events.waited?.(0);
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: performance.now(),
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          this.#events.waited?.((performance.now() - waiter.enqueuedAt) / 1000);
          resolve(this.#releaser());
        },
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index === -1) return;
        this.#queue.splice(index, 1);
        this.#events.queueDepthChanged?.(-1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      this.#events.queueDepthChanged?.(1);
    });
  }

  #take(): void {
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    this.#events.inFlightChanged?.(1);
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) {
        // The slot changes hands without ever being free: in-flight stays the same.
        this.#events.queueDepthChanged?.(-1);
        next.grant();
        return;
      }
      this.#inFlight -= 1;
      this.#events.inFlightChanged?.(-1);
    };
  }
}
