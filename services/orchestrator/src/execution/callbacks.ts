import { createHmac } from "node:crypto";
import type { Database } from "@devtools/db/client";
import { BatchWorker } from "@devtools/service-kit/batch-worker";
import type { Logger } from "@devtools/service-kit/logger";
import { type RetryPolicy, retryAfterMs, retryDelayMs } from "./failure-policy.ts";

export interface CallbackLimits {
  /** Tries per callback, the first included; then it is abandoned. */
  maxAttempts: number;
  /** Backoff ceiling after the first failure, doubling per attempt (full jitter); a Retry-After replaces it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A receiver taking longer fails the attempt. */
  timeoutMs: number;
  /** Callbacks claimed (and sent side by side) at once. */
  batch: number;
}

// A claim counts the attempt and pushes next_attempt_at past the timeout: that is its lease, so
// another replica takes the callback only if this one died while sending it.
const CLAIM_DUE = `
with due as (
  select id from callback_deliveries
  where delivered_at is null and abandoned_at is null and next_attempt_at <= now()
  order by next_attempt_at
  limit $1
  for update skip locked
)
update callback_deliveries c
set attempts = c.attempts + 1, next_attempt_at = now() + $2::double precision * interval '1 millisecond'
from due
where c.id = due.id
returning c.id::text as id, c.task_id, c.url, c.payload, c.attempts`;

// Fenced by the attempt: a sender whose lease lapsed and was taken over records nothing.
const DELIVERED = `
update callback_deliveries set delivered_at = now(), last_error = null
where id = $1 and attempts = $2 and delivered_at is null`;

const FAILED = `
update callback_deliveries
set last_error = $3, next_attempt_at = now() + $4::double precision * interval '1 millisecond',
    abandoned_at = case when attempts >= $5 then now() end
where id = $1 and attempts = $2 and delivered_at is null`;

interface DueCallback {
  id: string;
  task_id: string;
  url: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * `sha256=<hex>`: the HMAC-SHA256 of `<timestamp>.<raw body>` under the shared secret. The timestamp
 * (X-Devtools-Timestamp, Unix seconds) is signed with the body, so a receiver that refuses old
 * timestamps also refuses a replayed delivery.
 */
export function signCallback(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export interface CallbackDelivererOptions {
  database: Database;
  /** CALLBACK_SIGNING_SECRET. */
  secret: string;
  limits: CallbackLimits;
  logger: Logger;
  random?: () => number;
}

/**
 * Delivers the task-ended callbacks queued in `callback_deliveries`: claims the due ones (replicas
 * side by side, `skip locked`), POSTs each signed body, and records the delivery, or the failure
 * and the next try, until the attempts run out. At least once: a replica that dies after the
 * receiver answered but before recording it leaves the callback to be sent again.
 */
export class CallbackDeliverer {
  readonly #database: Database;
  readonly #secret: string;
  readonly #limits: CallbackLimits;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #retry: RetryPolicy;
  readonly #worker: BatchWorker;

  constructor(options: CallbackDelivererOptions) {
    this.#database = options.database;
    this.#secret = options.secret;
    this.#limits = options.limits;
    this.#logger = options.logger.child({ component: "callbacks" });
    this.#random = options.random ?? Math.random;
    this.#retry = {
      maxAttempts: options.limits.maxAttempts,
      baseDelayMs: options.limits.baseDelayMs,
      maxDelayMs: options.limits.maxDelayMs,
    };
    this.#worker = new BatchWorker({
      round: () => this.#round(),
      batch: options.limits.batch,
      logger: this.#logger,
      what: "delivering callbacks",
    });
  }

  /** Delivers what is due now; wakes that come while a round runs coalesce into one more. */
  wake(): void {
    this.#worker.wake();
  }

  /** Claims nothing more and waits for the deliveries in flight. */
  stop(): Promise<void> {
    return this.#worker.stop();
  }

  async #round(): Promise<number> {
    const due = await this.#database.query<DueCallback>(CLAIM_DUE, [
      this.#limits.batch,
      this.#limits.timeoutMs + 5_000,
    ]);
    await Promise.all(due.map((callback) => this.#deliver(callback)));
    return due.length;
  }

  async #deliver(callback: DueCallback): Promise<void> {
    const body = JSON.stringify(callback.payload);
    let error: string;
    let retryAfter: number | undefined;
    try {
      const timestamp = String(Math.floor(Date.now() / 1_000));
      const response = await fetch(callback.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "devtools-orchestrator",
          "x-devtools-signature": signCallback(this.#secret, timestamp, body),
          "x-devtools-timestamp": timestamp,
          "x-devtools-delivery": callback.id,
        },
        body,
        // A redirect is not followed: the signed body goes only where the task said.
        redirect: "manual",
        signal: AbortSignal.timeout(this.#limits.timeoutMs),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        await this.#database.query(DELIVERED, [callback.id, callback.attempts]);
        this.#logger.info({ task_id: callback.task_id, attempt: callback.attempts }, "callback delivered");
        return;
      }
      error = `answered ${response.status}`;
      retryAfter = retryAfterMs(response.headers.get("retry-after") ?? undefined);
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const delayMs = retryDelayMs(callback.attempts, retryAfter, this.#retry, this.#random);
    await this.#database.query(FAILED, [callback.id, callback.attempts, error, delayMs, this.#limits.maxAttempts]);
    const last = callback.attempts >= this.#limits.maxAttempts;
    this.#logger.warn(
      { task_id: callback.task_id, attempt: callback.attempts, error, ...(last ? {} : { retry_in_ms: delayMs }) },
      last ? "callback abandoned: its attempts ran out" : "callback failed; will retry",
    );
  }
}
