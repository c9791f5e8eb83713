import type { ExecuteRequest, ExecuteResult } from "@devtools/contracts/agent";
import { IdempotencyConflictError } from "./errors.ts";
import type { ExecutionEvents, ExecutionPhase } from "./execution-events.ts";
import type { ExecutionContext } from "./executor.ts";
import { fingerprintOf, type IdempotencyStore, type StoredExecution } from "./idempotency-store.ts";
import type { ReplaySource } from "./metrics.ts";

/** Runs one execution; the coordinator decides when, and how many callers share it. */
export type Execute = (request: ExecuteRequest, context: ExecutionContext) => Promise<ExecuteResult>;

/** A caller of an execution: the signal that says it left, and where its events go (streams). */
export interface Waiter {
  signal: AbortSignal;
  events?: ExecutionEvents;
}

/** A result as one caller gets it: `replayed` when the model was not called for this request. */
export interface Answer {
  result: ExecuteResult;
  replayed: boolean;
}

/** What `begin` found: a stored result to send at once, or an execution to wait for. */
export type Ticket =
  | { kind: "stored"; answer: Answer }
  | { kind: "running"; joined: boolean; wait: (waiter: Waiter) => Promise<Answer> };

type Event = { type: "phase"; phase: ExecutionPhase } | { type: "token"; text: string };

/** One execution for one idempotency key, shared by every caller that sends the same request meanwhile. */
class Running {
  readonly fingerprint: string;
  readonly controller = new AbortController();
  /** The stored entry for the key, looked up before anything runs. */
  lookup!: Promise<StoredExecution | undefined>;
  outcome!: Promise<ExecuteResult>;
  waiters = 0;
  settled = false;
  // What happened so far, for streams that join late.
  readonly #log: Event[] = [];
  readonly #listeners = new Set<ExecutionEvents>();
  readonly events: ExecutionEvents = {
    phase: (phase) => this.#emit({ type: "phase", phase }),
    token: (text) => this.#emit({ type: "token", text }),
  };

  constructor(fingerprint: string) {
    this.fingerprint = fingerprint;
  }

  #emit(event: Event): void {
    this.#log.push(event);
    for (const listener of this.#listeners) deliver(listener, event);
  }

  /** Sends `listener` what happened so far, then what happens next; returns the unsubscribe. */
  subscribe(listener: ExecutionEvents): () => void {
    for (const event of this.#log) deliver(listener, event);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function deliver(listener: ExecutionEvents, event: Event): void {
  if (event.type === "phase") listener.phase(event.phase);
  else listener.token(event.text);
}

/** Resolves with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export interface ExecutionsOptions {
  store: IdempotencyStore;
  execute: Execute;
  /** Called for every answer given without calling the model. */
  onReplay?: (source: ReplaySource) => void;
  /** Called when the store fails; the request is then answered as if the key were new. */
  onStoreError?: (error: unknown) => void;
}

/**
 * Idempotent executions: a key whose result is stored answers from the store; a key whose execution
 * is running joins it (one model call however many duplicates arrive); a key reused with another
 * body is a conflict. An execution is aborted when its last waiter leaves, and only successful
 * results are stored.
 */
export class Executions {
  readonly #running = new Map<string, Running>();
  readonly #options: ExecutionsOptions;

  constructor(options: ExecutionsOptions) {
    this.#options = options;
  }

  /** Executions running now. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Finds or starts the execution of `request`. Resolves once the store has been asked, so that a
   * conflict or a stored result is known before a caller commits to a response.
   * @throws IdempotencyConflictError when the key belongs to a different request.
   */
  async begin(request: ExecuteRequest, { stream }: { stream: boolean }): Promise<Ticket> {
    const key = request.idempotency_key;
    const fingerprint = fingerprintOf(request);
    const existing = this.#running.get(key);
    if (existing && existing.fingerprint !== fingerprint) throw new IdempotencyConflictError(key);
    const running = existing ?? this.#start(request, fingerprint, stream);
    const stored = await running.lookup;
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new IdempotencyConflictError(key);
      this.#options.onReplay?.("store");
      return { kind: "stored", answer: { result: { ...stored.result, replayed: true }, replayed: true } };
    }
    const joined = existing !== undefined;
    return { kind: "running", joined, wait: (waiter) => this.#wait(key, running, waiter, joined) };
  }

  /** `begin`, then wait: the answer for a caller that does not stream. */
  async run(request: ExecuteRequest, waiter: Waiter): Promise<Answer> {
    const ticket = await this.begin(request, { stream: false });
    return ticket.kind === "stored" ? ticket.answer : ticket.wait(waiter);
  }

  #start(request: ExecuteRequest, fingerprint: string, stream: boolean): Running {
    const key = request.idempotency_key;
    const running = new Running(fingerprint);
    // Registered before the first await, so that a duplicate arriving meanwhile joins this one.
    this.#running.set(key, running);
    // A store that cannot answer costs idempotency, not the execution.
    running.lookup = this.#options.store.get(key).catch((error: unknown) => {
      this.#options.onStoreError?.(error);
      return undefined;
    });
    running.outcome = running.lookup
      .then(async (stored) => {
        if (stored) return stored.result;
        const result = await this.#options.execute(request, {
          signal: running.controller.signal,
          events: running.events,
          stream,
        });
        await this.#options.store.set(key, { fingerprint, result }).catch((error: unknown) => {
          this.#options.onStoreError?.(error);
        });
        return result;
      })
      .finally(() => {
        running.settled = true;
        if (this.#running.get(key) === running) this.#running.delete(key);
      });
    // Callers that left, or a stored result nobody waits on, must not make an unhandled rejection.
    running.outcome.catch(() => {});
    return running;
  }

  async #wait(key: string, running: Running, waiter: Waiter, joined: boolean): Promise<Answer> {
    running.waiters += 1;
    const unsubscribe = waiter.events ? running.subscribe(waiter.events) : undefined;
    try {
      const result = await untilAborted(running.outcome, waiter.signal);
      if (!joined) return { result, replayed: false };
      this.#options.onReplay?.("in_flight");
      return { result: { ...result, replayed: true }, replayed: true };
    } finally {
      unsubscribe?.();
      running.waiters -= 1;
      if (running.waiters === 0 && !running.settled) {
        // Nobody wants the result any more: stop the model, and let the next request start afresh.
        running.controller.abort(waiter.signal.reason);
        if (this.#running.get(key) === running) this.#running.delete(key);
      }
    }
  }
}
