export interface RateLimitOptions {
  /** Tokens added per minute: the sustained rate. */
  perMinute: number;
  /** The bucket's size: how many requests may come at once. */
  burst: number;
  now?: () => number;
}

/** One request's verdict, with what the RateLimit headers report. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Whole requests left now. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one more request is allowed (0 when allowed now). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per subject (an API key), in this process's memory: each replica counts its own
 * requests, so N replicas behind a balancer allow up to N times the rate. Buckets refill
 * continuously; a full bucket carries no information and is dropped by `sweep`.
 */
export class TokenBuckets {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    this.#perMs = options.perMinute / 60_000;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token from `subject`'s bucket if it has one. */
  take(subject: string): RateLimitDecision {
    const now = this.#now();
    const bucket = this.#refilled(subject, now);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(subject, bucket);
    return {
      allowed,
      limit: this.#burst,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((this.#burst - bucket.tokens) / this.#perMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)),
    };
  }

  /** Drops the buckets that have refilled: they would behave exactly as a new one. */
  sweep(): void {
    const now = this.#now();
    for (const [subject] of this.#buckets) {
      if (this.#refilled(subject, now).tokens >= this.#burst) this.#buckets.delete(subject);
    }
  }

  /** How many subjects have a bucket that is not full. */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(subject: string, now: number): Bucket {
    const bucket = this.#buckets.get(subject);
    if (!bucket) return { tokens: this.#burst, updatedAt: now };
    const tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updatedAt) * this.#perMs);
    return { tokens, updatedAt: now };
  }
}
