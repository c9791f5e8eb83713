import { setTimeout as delay } from "node:timers/promises";

/** When and how long to wait between attempts. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** The backoff ceiling of the first retry; it doubles with each further one. */
  baseDelayMs: number;
  /** No wait is longer, whatever the backoff or a server's Retry-After say. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter (a uniform wait between 0 and the doubled ceiling), so that
 * clients that failed together do not come back together. `retry` counts from 1.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a response asks for, in milliseconds: OpenAI's `retry-after-ms`, else `Retry-After` as
 * seconds or as an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const precise = headers?.get("retry-after-ms");
  if (precise && /^\d+(\.\d+)?$/.test(precise.trim())) return Math.ceil(Number(precise));
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before retry number `retry`: the server's Retry-After when it gave one, else backoff; capped either way. */
export function retryDelayMs(
  retry: number,
  retryAfter: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return Math.min(policy.maxDelayMs, retryAfter ?? backoffDelayMs(retry, policy, random));
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await delay(ms, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
  });
}
