import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms`, or not at all when it is under a millisecond: a timer cannot fire sooner than 1 ms,
 * so a fast latency model would otherwise add a millisecond per step that no real server adds.
 */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms >= 1) await delay(ms, undefined, { signal });
  else signal.throwIfAborted();
}

import type { FinishReason, SimulatorMetrics } from "./metrics.ts";
import type { PrefixCache } from "./prefix-cache.ts";
import type { Scheduler } from "./scheduler.ts";

export interface LatencyModel {
  /** Fixed part of the time to first token, in milliseconds. */
  ttftMs: number;
  prefillTokensPerSecond: number;
  tokensPerSecond: number;
}

export interface Sequence {
  /**
   * When the request reached the server (performance.now()). As in vLLM, latency counts from there:
   * the work done before the engine (parsing, the chat template, tokenizing) is part of the time to
   * first token, not added to it. Defaults to when `run` is called.
   */
  arrivedAt?: number | undefined;
  promptTokenIds: readonly number[];
  /** Every token the sequence will produce (an EOS token included), all counted in usage. */
  outputTokenIds: readonly number[];
  finishReason: Exclude<FinishReason, "abort">;
  cacheSalt?: string | undefined;
  /** Injected slowness, added to the time to first token. */
  extraDelayMs: number;
  /** Streams get tokens as they are due; other requests wait for the last one. */
  stream: boolean;
  signal: AbortSignal;
  /** Called as output tokens come out (first after prefill); the last call has `done`. */
  onProgress: (progress: Progress) => Promise<void> | void;
}

export interface Progress {
  /** Output tokens produced so far. */
  emitted: number;
  done: boolean;
  /** Prompt tokens served from the prefix cache (usage.prompt_tokens_details.cached_tokens). */
  cachedTokens: number;
}

export interface SequenceResult {
  /** Prompt tokens served from the prefix cache (usage.prompt_tokens_details.cached_tokens). */
  cachedTokens: number;
}

export interface EngineStats {
  running: number;
  waiting: number;
  maxRunningObserved: number;
  finished: number;
  aborted: number;
  promptTokens: number;
  generationTokens: number;
  prefixCacheQueries: number;
  prefixCacheHits: number;
}

/**
 * The request lifecycle of vLLM's engine, on timers: wait for a slot, prefill (shortened by
 * prefix-cache hits), then decode at a steady rate. Aborting the signal at any point frees the
 * slot and counts the request as aborted.
 */
export class Engine {
  readonly #scheduler: Scheduler;
  readonly #cache: PrefixCache;
  readonly #metrics: SimulatorMetrics;
  readonly #latency: LatencyModel;
  readonly #blockSize: number;
  // Tokens held by each running sequence, for kv_cache_usage_perc.
  readonly #active = new Map<symbol, number>();
  #finished = 0;
  #aborted = 0;
  #promptTokens = 0;
  #generationTokens = 0;
  #prefixCacheQueries = 0;
  #prefixCacheHits = 0;

  constructor(deps: {
    scheduler: Scheduler;
    cache: PrefixCache;
    metrics: SimulatorMetrics;
    latency: LatencyModel;
    blockSize: number;
  }) {
    this.#scheduler = deps.scheduler;
    this.#cache = deps.cache;
    this.#metrics = deps.metrics;
    this.#latency = deps.latency;
    this.#blockSize = deps.blockSize;
  }

  /** KV blocks in use by running sequences. */
  blocksInUse(): number {
    let blocks = 0;
    for (const tokens of this.#active.values()) blocks += Math.ceil(tokens / this.#blockSize);
    return blocks;
  }

  stats(): EngineStats {
    return {
      running: this.#scheduler.running,
      waiting: this.#scheduler.waiting,
      maxRunningObserved: this.#scheduler.maxRunningObserved,
      finished: this.#finished,
      aborted: this.#aborted,
      promptTokens: this.#promptTokens,
      generationTokens: this.#generationTokens,
      prefixCacheQueries: this.#prefixCacheQueries,
      prefixCacheHits: this.#prefixCacheHits,
    };
  }

  /** Runs one sequence to its end. @throws the signal's reason when aborted. */
  async run(sequence: Sequence): Promise<SequenceResult> {
    const enqueued = performance.now();
    const arrived = sequence.arrivedAt ?? enqueued;
    // Spent before the engine saw the request, and so part of the time to first token; the wait in
    // the queue, which follows, is added to it.
    const handling = enqueued - arrived;
    const release = await this.#scheduler.acquire(sequence.signal).catch((reason: unknown) => {
      this.#countAbort();
      throw reason;
    });
    const id = Symbol("sequence");
    let emitted = 0;
    try {
      const scheduled = performance.now();
      this.#metrics.queueTime.observe((scheduled - enqueued) / 1000);
      const prompt = sequence.promptTokenIds;
      this.#active.set(id, prompt.length);
      // Named once, before the wait: what is left after the model's time is bookkeeping by name.
      const blocks = this.#cache.blocks([...prompt, ...sequence.outputTokenIds], sequence.cacheSalt);
      const promptBlocks = Math.floor(prompt.length / this.#blockSize);
      const lookup = this.#cache.lookup(blocks, prompt.length);
      this.#metrics.prefixCacheQueries.inc(lookup.queried);
      this.#metrics.prefixCacheHits.inc(lookup.hits);
      this.#prefixCacheQueries += lookup.queried;
      this.#prefixCacheHits += lookup.hits;

      const prefillMs = ((prompt.length - lookup.hits) / this.#latency.prefillTokensPerSecond) * 1000;
      // Due at an absolute time, so the work since the slot was granted is part of it, not added to it.
      const firstTokenDue = scheduled - handling + this.#latency.ttftMs + prefillMs + sequence.extraDelayMs;
      await pause(firstTokenDue - performance.now(), sequence.signal);
      this.#cache.insert(blocks.slice(0, promptBlocks));
      this.#metrics.promptTokens.inc(prompt.length);
      this.#promptTokens += prompt.length;

      const firstToken = performance.now();
      this.#metrics.timeToFirstToken.observe((firstToken - arrived) / 1000);
      const total = sequence.outputTokenIds.length;
      const advance = async (to: number) => {
        this.#metrics.generationTokens.inc(to - emitted);
        this.#generationTokens += to - emitted;
        emitted = to;
        this.#active.set(id, prompt.length + emitted);
        await sequence.onProgress({ emitted, done: emitted === total, cachedTokens: lookup.hits });
      };
      await advance(Math.min(1, total));

      const msPerToken = 1000 / this.#latency.tokensPerSecond;
      while (emitted < total) {
        // Due times are absolute, so timer overshoot never slows the overall rate down.
        const nextDue = firstToken + emitted * msPerToken;
        const wait = sequence.stream
          ? nextDue - performance.now()
          : firstToken + (total - 1) * msPerToken - performance.now();
        await pause(wait, sequence.signal);
        sequence.signal.throwIfAborted();
        const due = 1 + Math.floor((performance.now() - firstToken) / msPerToken);
        await advance(Math.min(total, Math.max(due, emitted + 1)));
      }
      const finished = performance.now();
      this.#cache.insert(blocks);
      this.#metrics.requestSuccess.inc({ finished_reason: sequence.finishReason });
      this.#metrics.e2eLatency.observe((finished - arrived) / 1000);
      this.#metrics.requestPromptTokens.observe(prompt.length);
      this.#metrics.requestGenerationTokens.observe(total);
      this.#finished++;
      // One observation per token after the first, of the average gap achieved: hundreds of them,
      // so after the answer has gone out rather than before (setImmediate runs before the next request is read).
      const gap = total > 1 ? (finished - firstToken) / (total - 1) / 1000 : 0;
      setImmediate(() => {
        for (let i = 1; i < total; i++) this.#metrics.interTokenLatency.observe(gap);
      });
      return { cachedTokens: lookup.hits };
    } catch (error) {
      this.#countAbort();
      throw error;
    } finally {
      this.#active.delete(id);
      release();
    }
  }

  #countAbort(): void {
    this.#aborted++;
    this.#metrics.requestSuccess.inc({ finished_reason: "abort" });
  }
}
