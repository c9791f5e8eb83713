import { ConcurrencyLimiter, type LimiterEvents } from "./concurrency-limiter.ts";

/**
 * Circuit state of a backend. `closed`: healthy. `open`: failed recently, skipped until its
 * cool-down ends. `half-open`: the cool-down ended; one request at a time probes it.
 */
export type CircuitState = "closed" | "open" | "half-open";

/** A base URL fit for logs and metric labels: credentials in the URL never leave. */
export function backendLabel(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/+$/, "");
}

/** One OpenAI-compatible server: its concurrency limiter and its circuit breaker. */
export class Backend {
  readonly url: string;
  /** `url` without credentials, for logs and metric labels. */
  readonly name: string;
  readonly limiter: ConcurrencyLimiter;
  readonly #cooldownMs: number;
  #open = false;
  #retryAt = 0;
  #probing = false;
  /** When it last failed (ms since epoch), -Infinity if never. */
  lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(url: string, maxConcurrency: number, cooldownMs: number, events: LimiterEvents = {}) {
    this.url = url;
    this.name = backendLabel(url);
    this.limiter = new ConcurrencyLimiter(maxConcurrency, events);
    this.#cooldownMs = cooldownMs;
  }

  state(now: number): CircuitState {
    if (!this.#open) return "closed";
    return now < this.#retryAt ? "open" : "half-open";
  }

  /** Whether a request may go here now: closed, or half-open with no probe under way. */
  available(now: number): boolean {
    const state = this.state(now);
    return state === "closed" || (state === "half-open" && !this.#probing);
  }

  /** Called when a request is sent here; a half-open backend then has its probe. */
  dispatched(now: number): void {
    if (this.state(now) === "half-open") this.#probing = true;
  }

  /** The backend answered: close the circuit. Returns whether it was open before. */
  succeeded(): boolean {
    const wasOpen = this.#open;
    this.#open = false;
    this.#probing = false;
    return wasOpen;
  }

  /** The backend is down or broken: open the circuit for a cool-down. */
  failed(now: number): void {
    this.#open = true;
    this.#probing = false;
    this.#retryAt = now + this.#cooldownMs;
    this.lastFailureAt = now;
  }

  /** The request ended in a way that says nothing about the backend (a 400, a caller's abort): free the probe. */
  settled(): void {
    this.#probing = false;
  }
}

/**
 * Chooses a backend for each attempt: the least busy (in flight + queued, relative to its limit)
 * among the available ones not yet tried by this call, then among those already tried; when none is
 * available, the one that failed longest ago, so that a call never fails just because every
 * circuit is open. Ties go to the first listed, which keeps a light load on one backend and its
 * prefix cache warm.
 */
export class BackendPool {
  readonly backends: readonly Backend[];
  readonly #now: () => number;

  constructor(backends: readonly Backend[], now: () => number = Date.now) {
    if (backends.length === 0) throw new RangeError("a backend pool needs at least one backend");
    this.backends = backends;
    this.#now = now;
  }

  /** Whether an available backend remains that this call has not tried (failing over to it needs no backoff). */
  hasUntried(tried: ReadonlySet<Backend>): boolean {
    const now = this.#now();
    return this.backends.some((backend) => !tried.has(backend) && backend.available(now));
  }

  /** The backend for the next attempt of a call that has already tried `tried`. */
  pick(tried: ReadonlySet<Backend> = new Set()): Backend {
    const now = this.#now();
    const available = this.backends.filter((backend) => backend.available(now));
    const untried = available.filter((backend) => !tried.has(backend));
    const candidates = untried.length > 0 ? untried : available;
    const chosen =
      candidates.length > 0
        ? candidates.reduce((best, backend) => (backend.limiter.load < best.limiter.load ? backend : best))
        : this.backends.reduce((best, backend) => (backend.lastFailureAt < best.lastFailureAt ? backend : best));
    chosen.dispatched(now);
    return chosen;
  }
}
