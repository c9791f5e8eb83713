import { context } from "@opentelemetry/api";
import type OpenAI from "openai";
import { Registry } from "prom-client";
import type { Agent } from "undici";
import type { z } from "zod";
import { type Attempt, type AttemptContext, attempts, type InferenceLogger } from "./attempts.ts";
import { Backend, BackendPool, backendLabel, type CircuitState } from "./backend-pool.ts";
import {
  type CallOptions,
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  completionBody,
  NO_USAGE,
  type ObjectCallOptions,
  usageOf,
} from "./chat.ts";
import type { InferenceConfig } from "./config.ts";
import { InferenceAbortedError, InferenceResponseError } from "./errors.ts";
import { inferenceMetrics, limiterEventsFor } from "./metrics.ts";
import { type GenerateObjectRequest, generateObject, type ObjectResult } from "./structured-output.ts";
import { createConnectionPool, sdkClient } from "./transport.ts";

export type { InferenceLogger } from "./attempts.ts";
export type { CircuitState } from "./backend-pool.ts";
export type {
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ObjectCallOptions,
  ResponseFormat,
  TokenUsage,
} from "./chat.ts";
export type { GenerateObjectRequest, ObjectResult, OutputCheck } from "./structured-output.ts";

/** How to build an InferenceClient. */
export interface InferenceClientOptions {
  /** Backends, model, key, timeout and retries: `inferenceConfigFrom(env)`. */
  config: InferenceConfig;
  /** Where the `inference_*` metrics go; a service passes its own. Default: a private registry. */
  registry?: Registry;
  /** Default: silent. */
  logger?: InferenceLogger;
  /** How long a failed backend is skipped before one request probes it again. Default 5000 ms. */
  cooldownMs?: number;
  /** Backoff ceiling of the first retry; doubles per retry. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Cap on any wait between attempts, Retry-After included. Default 10 000 ms. */
  retryMaxDelayMs?: number;
  /** Source of the backoff jitter; tests pin it. Default Math.random. */
  random?: () => number;
}

/** A backend as the client sees it now. */
export interface BackendStatus {
  name: string;
  state: CircuitState;
  limit: number;
  inFlight: number;
  queued: number;
  /** The most requests ever in flight to it at once. */
  maxInFlight: number;
}

const silent: InferenceLogger = { info() {}, warn() {} };

/**
 * The one way services call a model: any OpenAI-compatible backend (vLLM, Ollama, LM Studio,
 * OpenAI), several at once with per-backend concurrency limits, failover and retries, token usage
 * counted, and structured output validated with zod.
 */
export class InferenceClient {
  readonly #config: InferenceConfig;
  readonly #pool: BackendPool;
  readonly #connections: Agent;
  readonly #sdks = new Map<Backend, OpenAI>();
  readonly #models = new Map<Backend, string>();
  readonly #context: AttemptContext;

  constructor(options: InferenceClientOptions) {
    const { config } = options;
    const metrics = inferenceMetrics(options.registry ?? new Registry());
    const cooldownMs = options.cooldownMs ?? 5_000;
    this.#config = config;
    this.#pool = new BackendPool(
      config.backends.map(
        (backend) =>
          new Backend(
            backend.url,
            backend.maxConcurrency,
            cooldownMs,
            limiterEventsFor(metrics, backendLabel(backend.url)),
          ),
      ),
    );
    // A couple of spare connections per backend for readiness probes and model discovery.
    this.#connections = createConnectionPool(Math.max(...config.backends.map((backend) => backend.maxConcurrency)) + 2);
    for (const backend of this.#pool.backends) {
      this.#sdks.set(backend, sdkClient(backend.url, config.apiKey, this.#connections));
    }
    this.#context = {
      pool: this.#pool,
      sdkFor: (backend) => this.#sdk(backend),
      modelFor: (backend, signal) => this.#modelFor(backend, signal),
      metrics,
      logger: options.logger ?? silent,
      policy: {
        maxRetries: config.maxRetries,
        baseDelayMs: options.retryBaseDelayMs ?? 250,
        maxDelayMs: options.retryMaxDelayMs ?? 10_000,
      },
      random: options.random ?? Math.random,
      secrets: config.apiKey ? [config.apiKey] : [],
    };
  }

  #sdk(backend: Backend): OpenAI {
    const sdk = this.#sdks.get(backend);
    if (!sdk) throw new Error(`no SDK client for ${backend.name}`);
    return sdk;
  }

  /** The configured model, else the first one `backend` lists (vLLM serves exactly one), remembered per backend. */
  async #modelFor(backend: Backend, signal: AbortSignal): Promise<string> {
    const known = this.#config.model ?? this.#models.get(backend);
    if (known) return known;
    const page = await this.#sdk(backend).models.list({ signal });
    const model = page.data[0]?.id;
    if (!model) throw new InferenceResponseError(`${backend.name} lists no model; set INFERENCE_MODEL`, backend.name);
    this.#models.set(backend, model);
    return model;
  }

  #attempts(request: ChatRequest, options: CallOptions): AsyncGenerator<Attempt, never, undefined> {
    return attempts(this.#context, {
      model: request.model ?? this.#config.model,
      signal: options.signal,
      maxRetries: options.maxRetries ?? this.#config.maxRetries,
      timeoutMs: options.timeoutMs ?? this.#config.timeoutMs,
    });
  }

  /** One chat completion, retried and failed over as configured. */
  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const loop = this.#attempts(request, options);
    for (;;) {
      const { value: attempt } = await loop.next();
      try {
        const completion = await context.with(attempt.traceContext, () =>
          attempt.sdk.chat.completions.create(
            { ...completionBody(request, attempt.model), stream: false },
            { signal: attempt.signal, timeout: attempt.deadline.ms },
          ),
        );
        const choice = completion.choices?.[0];
        if (!choice) {
          throw new InferenceResponseError(`${attempt.backend.name} answered without a choice`, attempt.backend.name);
        }
        const usage = usageOf(completion.usage);
        attempt.succeeded(usage, { model: completion.model, finishReason: choice.finish_reason });
        return {
          text: choice.message?.content ?? "",
          finishReason: choice.finish_reason ?? null,
          usage,
          model: completion.model || attempt.model,
          backend: attempt.backend.name,
          attempts: attempt.number,
        };
      } catch (error) {
        attempt.failed(error);
      } finally {
        attempt.end();
      }
    }
  }

  /**
   * One streamed chat completion: text deltas as they arrive, then `done` with the whole text and
   * the usage (`stream_options.include_usage`). Failures before the first delta are retried like
   * `chat`; after it, they end the stream with the error. The concurrency slot is held while the
   * stream is read; stopping early (break) aborts the HTTP request. The timeout is the longest
   * silence between chunks.
   */
  async *stream(request: ChatRequest, options: CallOptions = {}): AsyncGenerator<ChatStreamEvent, void, undefined> {
    const loop = this.#attempts(request, options);
    for (;;) {
      const { value: attempt } = await loop.next();
      let yielded = false;
      let settled = false;
      try {
        const chunks = await context.with(attempt.traceContext, () =>
          attempt.sdk.chat.completions.create(
            { ...completionBody(request, attempt.model), stream: true, stream_options: { include_usage: true } },
            { signal: attempt.signal, timeout: attempt.deadline.ms },
          ),
        );
        let text = "";
        let usage = NO_USAGE;
        let finishReason: string | null = null;
        let model = attempt.model;
        for await (const chunk of chunks) {
          attempt.deadline.restart();
          if (chunk.usage) usage = usageOf(chunk.usage);
          if (chunk.model) model = chunk.model;
          const choice = chunk.choices?.[0];
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          const delta = choice?.delta?.content;
          if (!delta) continue;
          text += delta;
          yielded = true;
          // The consumer's time with a delta is not the backend's silence.
          attempt.deadline.pause();
          yield { type: "delta", text: delta };
          attempt.deadline.restart();
        }
        // The SDK ends an aborted stream quietly, as if it were complete.
        attempt.signal.throwIfAborted();
        attempt.succeeded(usage, { model, finishReason });
        settled = true;
        yield {
          type: "done",
          result: { text, finishReason, usage, model, backend: attempt.backend.name, attempts: attempt.number },
        };
        return;
      } catch (error) {
        settled = true;
        attempt.failed(error, { retryable: !yielded });
      } finally {
        // The consumer stopped reading mid-stream: leaving the loop above has already aborted the request.
        if (!settled)
          attempt.failed(new InferenceAbortedError("the consumer stopped reading the stream", attempt.backend.name));
        attempt.end();
      }
    }
  }

  /**
   * A structured answer: `request.schema` (zod) is sent as a strict JSON schema (vLLM's guided
   * decoding), the answer is parsed and validated, and an invalid one gets exactly one repair round
   * before failing with InvalidModelOutputError. The prompt is laid out static-first for vLLM's
   * prefix cache: system, schema, instructions, then the input. `options` can watch the rounds and
   * their usage, and with `onDelta` each round is streamed and its text passed on as it comes.
   */
  generateObject<Schema extends z.ZodType>(
    request: GenerateObjectRequest<Schema>,
    options: ObjectCallOptions = {},
  ): Promise<ObjectResult<z.output<Schema>>> {
    const { metrics } = this.#context;
    const { onDelta } = options;
    return generateObject(
      {
        chat: (chatRequest, chatOptions) =>
          onDelta ? this.#streamToEnd(chatRequest, chatOptions, onDelta) : this.chat(chatRequest, chatOptions),
        repaired: (model, outcome) => metrics.repairs.inc({ model, outcome }),
      },
      request,
      options,
    );
  }

  /** One streamed completion, read to its end: its deltas to `onDelta`, its result returned. */
  async #streamToEnd(
    request: ChatRequest,
    options: CallOptions | undefined,
    onDelta: (text: string) => void,
  ): Promise<ChatResult> {
    for await (const event of this.stream(request, options)) {
      if (event.type === "delta") onDelta(event.text);
      else return event.result;
    }
    throw new InferenceResponseError("the stream ended without a result", "unknown");
  }

  /** Whether at least one backend answers `GET {base}/models` within `timeoutMs`: for a service's /ready. */
  async ready({ timeoutMs = 2_000 } = {}): Promise<boolean> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await Promise.any(this.#pool.backends.map((backend) => this.#sdk(backend).models.list({ signal })));
      return true;
    } catch {
      return false;
    }
  }

  /** Each backend's circuit state and load, for diagnostics and tests. */
  backends(): BackendStatus[] {
    const now = Date.now();
    return this.#pool.backends.map((backend) => ({
      name: backend.name,
      state: backend.state(now),
      limit: backend.limiter.limit,
      inFlight: backend.limiter.inFlight,
      queued: backend.limiter.queued,
      maxInFlight: backend.limiter.maxInFlight,
    }));
  }

  /** Closes the kept-alive connections. Calls still running fail. */
  async close(): Promise<void> {
    await this.#connections.destroy();
  }
}
