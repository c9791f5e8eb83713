import { type Context, context as otelContext, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type OpenAI from "openai";
import type { Backend, BackendPool } from "./backend-pool.ts";
import type { TokenUsage } from "./chat.ts";
import type { Release } from "./concurrency-limiter.ts";
import { Deadline } from "./deadline.ts";
import { InferenceAbortedError, type InferenceError, InferenceHttpError, toInferenceError } from "./errors.ts";
import type { InferenceMetrics } from "./metrics.ts";
import { type RetryPolicy, retryDelayMs, sleep } from "./retry.ts";

/** The logging the client needs; a pino logger fits. */
export interface InferenceLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** What the attempt loop works with, shared by every call of one client. */
export interface AttemptContext {
  pool: BackendPool;
  sdkFor(backend: Backend): OpenAI;
  /** The model to ask `backend` for: the configured one, else the first it lists. */
  modelFor(backend: Backend, signal: AbortSignal): Promise<string>;
  metrics: InferenceMetrics;
  logger: InferenceLogger;
  policy: RetryPolicy;
  random: () => number;
  /** Strings no error message may contain. */
  secrets: readonly string[];
}

const tracer = trace.getTracer("@devtools/inference");

/** The backend's address as the GenAI conventions' `server.*` attributes. */
function serverOf(url: string): Record<string, string | number> {
  const { hostname, port, protocol } = new URL(url);
  return { "server.address": hostname, "server.port": Number(port || (protocol === "https:" ? 443 : 80)) };
}

/** What a backend said about the call, for its span. */
export interface AttemptResponse {
  model?: string | undefined;
  finishReason?: string | null | undefined;
}

/**
 * One HTTP attempt of a call: a backend, a slot under its limit, and a deadline. Each attempt is a
 * GenAI client span (`chat {model}`: model asked for and answered with, input and output tokens,
 * the backend's address); `traceContext` makes it the parent of the HTTP request it sends.
 */
export class Attempt {
  readonly number: number;
  readonly backend: Backend;
  readonly sdk: OpenAI;
  readonly deadline: Deadline;
  /** Aborts on the deadline or the caller's signal; give it to the SDK. */
  readonly signal: AbortSignal;
  /** Active while the SDK sends the request, so that its HTTP span is this attempt's child. */
  readonly traceContext: Context;
  /** The classified failure, once `failed` was called. */
  error: InferenceError | undefined;
  /** Whether the loop may try again after this attempt's failure. */
  retryable = false;
  readonly #context: AttemptContext;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #release: Release;
  readonly #timeoutMs: number;
  readonly #startedAt = performance.now();
  readonly #span: Span;
  #model: string;

  constructor(
    context: AttemptContext,
    details: {
      number: number;
      backend: Backend;
      model: string;
      timeoutMs: number;
      callerSignal: AbortSignal | undefined;
      release: Release;
    },
  ) {
    this.#context = context;
    this.number = details.number;
    this.backend = details.backend;
    this.#model = details.model;
    // gen_ai.provider.name names the API spoken: vLLM, Ollama and LM Studio all speak OpenAI's; server.* says which one.
    this.#span = tracer.startSpan(`chat ${details.model}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": details.model,
        ...serverOf(details.backend.url),
        "devtools.inference.attempt": details.number,
      },
    });
    this.traceContext = trace.setSpan(otelContext.active(), this.#span);
    this.sdk = context.sdkFor(details.backend);
    this.#callerSignal = details.callerSignal;
    this.#release = details.release;
    this.#timeoutMs = details.timeoutMs;
    // The clock starts once the slot is granted: time in the queue is not the backend's fault.
    this.deadline = new Deadline(details.timeoutMs);
    this.signal = details.callerSignal
      ? AbortSignal.any([this.deadline.signal, details.callerSignal])
      : this.deadline.signal;
  }

  /** The model asked for: the configured one, or the one the backend lists, once known. */
  get model(): string {
    return this.#model;
  }

  set model(model: string) {
    this.#model = model;
    this.#span.updateName(`chat ${model}`);
    this.#span.setAttribute("gen_ai.request.model", model);
  }

  #record(outcome: string): void {
    const labels = { backend: this.backend.name, model: this.model, outcome };
    this.#context.metrics.requests.inc(labels);
    this.#context.metrics.duration.observe(labels, (performance.now() - this.#startedAt) / 1000);
  }

  /** The backend answered: count it and its tokens, and close its circuit. */
  succeeded(usage: TokenUsage, response: AttemptResponse = {}): void {
    const { metrics, logger } = this.#context;
    this.#record("success");
    this.#span.setAttributes({
      "gen_ai.response.model": response.model || this.model,
      "gen_ai.usage.input_tokens": usage.promptTokens,
      "gen_ai.usage.output_tokens": usage.completionTokens,
      ...(response.finishReason ? { "gen_ai.response.finish_reasons": [response.finishReason] } : {}),
    });
    const labels = { backend: this.backend.name, model: this.model };
    metrics.tokens.inc({ ...labels, kind: "prompt" }, usage.promptTokens);
    metrics.tokens.inc({ ...labels, kind: "completion" }, usage.completionTokens);
    if (this.backend.succeeded()) logger.info({ backend: this.backend.name }, "inference backend answers again");
  }

  /**
   * Classifies and counts a failure, opens the backend's circuit when the backend itself failed, and
   * keeps the error for the loop. `retryable: false` forbids another attempt (a stream that already
   * gave the caller text cannot start over).
   */
  failed(thrown: unknown, { retryable = true } = {}): InferenceError {
    const { logger, secrets } = this.#context;
    const error = toInferenceError(thrown, {
      backend: this.backend.name,
      timeoutMs: this.#timeoutMs,
      callerSignal: this.#callerSignal,
      deadline: this.deadline.signal,
      secrets,
    });
    this.#record(error.outcome);
    if (error.backendFailed) this.backend.failed(Date.now());
    else this.backend.settled();
    this.error = error;
    this.retryable = retryable && error.retryable;
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    this.#span.setAttribute("error.type", error.outcome);
    if (error.outcome !== "aborted") {
      logger.warn(
        {
          backend: this.backend.name,
          model: this.model,
          attempt: this.number,
          outcome: error.outcome,
          retryable: this.retryable,
          // "open": later calls skip this backend until its cool-down ends.
          circuit: this.backend.state(Date.now()),
          error: error.message,
        },
        "inference attempt failed",
      );
    }
    return error;
  }

  /** Frees the slot and stops the clock; call it in `finally`. */
  end(): void {
    this.deadline.pause();
    this.#release();
    this.#span.end();
  }
}

/**
 * The attempts of one call, for `for await`: each comes with a backend (the least busy healthy one
 * this call has not tried yet), a slot and a deadline. After a failed attempt the loop ends with the
 * error when it is permanent or the retries are used up; otherwise it fails over at once to an
 * untried healthy backend, or waits (exponential backoff with full jitter, or the server's
 * Retry-After, capped) and tries again.
 */
export async function* attempts(
  context: AttemptContext,
  options: { model: string | undefined; signal: AbortSignal | undefined; maxRetries: number; timeoutMs: number },
): AsyncGenerator<Attempt, never, undefined> {
  const { pool, policy, random } = context;
  const { signal } = options;
  const tried = new Set<Backend>();
  let last: Attempt | undefined;
  const giveUp = (error: InferenceError, attemptsMade: number) => Object.assign(error, { attempts: attemptsMade });
  for (let number = 1; ; number += 1) {
    if (last?.error) {
      if (!last.retryable || number > options.maxRetries + 1) throw giveUp(last.error, number - 1);
      if (!pool.hasUntried(tried)) {
        const retryAfter = last.error instanceof InferenceHttpError ? last.error.retryAfterMs : undefined;
        await sleep(retryDelayMs(number - 1, retryAfter, policy, random), signal).catch((reason: unknown) => {
          throw giveUp(new InferenceAbortedError(reason), number - 1);
        });
      }
    }
    const backend = pool.pick(tried);
    tried.add(backend);
    let release: Release;
    try {
      release = await backend.limiter.acquire(signal);
    } catch (reason) {
      backend.settled();
      throw giveUp(new InferenceAbortedError(reason, backend.name), number - 1);
    }
    const attempt = new Attempt(context, {
      number,
      backend,
      model: options.model ?? "unknown",
      timeoutMs: options.timeoutMs,
      callerSignal: signal,
      release,
    });
    try {
      attempt.model = options.model ?? (await context.modelFor(backend, attempt.signal));
    } catch (error) {
      attempt.failed(error);
      attempt.end();
      last = attempt;
      continue;
    }
    yield attempt;
    // The caller returned on success; it comes back here only after a failure.
    last = attempt;
  }
}
