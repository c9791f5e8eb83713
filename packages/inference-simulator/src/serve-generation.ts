import { setImmediate as nextTurn } from "node:timers/promises";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { SimulatorContext } from "./context.ts";
import type { Progress } from "./engine.ts";
import { badRequest, contextLengthError, VllmError } from "./errors.ts";
import { FAULT_HEADER } from "./faults.ts";
import { type OutputConstraint, type PlannedOutput, planOutput } from "./output.ts";
import { Rng } from "./random.ts";
import { type GenerationFields, stopStrings } from "./request-fields.ts";
import { topicOf } from "./topic.ts";

/** `arrivedAt`: when the request reached the server (performance.now()), where its latency starts. */
export type SimulatorEnv = { Bindings: HttpBindings; Variables: { arrivedAt: number } };

export interface Finish {
  reason: "stop" | "length";
  stopReason: string | null;
}

export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/** How one endpoint words its answers; the lifecycle around them is shared. */
export interface AnswerShape {
  complete: (text: string, finish: Finish, usage: Usage) => object;
  /** Chunks that open a stream once the first token exists (chat: the role delta). */
  opening: () => object[];
  delta: (text: string, finish: Finish | null, usage: Usage | undefined) => object;
  usageChunk: (usage: Usage) => object;
}

export interface GenerationRequest {
  body: GenerationFields;
  constraint: OutputConstraint;
  promptText: string;
  promptTokenIds: number[];
  /** What the answer should be about: the last user message, or the prompt. */
  topicText: string;
  /** max_tokens (or max_completion_tokens), as sent. */
  maxTokens: number | null | undefined;
  eosTokenId: number;
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
const encoder = new TextEncoder();
const sse = (data: object | string) =>
  encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

/**
 * Validates lengths as vLLM does, plans the answer, applies injected faults, runs the sequence on
 * the engine and answers as one JSON document or as server-sent events.
 */
export async function serveGeneration(
  c: Context<SimulatorEnv>,
  simulator: SimulatorContext,
  request: GenerationRequest,
  shape: AnswerShape,
): Promise<Response> {
  const { options } = simulator;
  const { body, maxTokens } = request;
  const promptTokens = request.promptTokenIds.length;
  if (maxTokens != null && maxTokens < 1) throw badRequest(`max_tokens must be at least 1, got ${maxTokens}.`);
  if (promptTokens >= options.maxModelLen) throw contextLengthError(options.maxModelLen, promptTokens);
  if (maxTokens != null && promptTokens + maxTokens > options.maxModelLen) {
    throw contextLengthError(options.maxModelLen, promptTokens, maxTokens);
  }
  const output = planOutput({
    constraint: request.constraint,
    topic: topicOf(request.topicText),
    promptText: request.promptText,
    rng: Rng.fromParts("generation", body.seed ?? options.seed, request.promptText, JSON.stringify(request.constraint)),
    maxTokens: maxTokens ?? options.maxModelLen - promptTokens,
    stop: stopStrings(body.stop),
    includeStopStrInOutput: body.include_stop_str_in_output ?? false,
    ignoreEos: body.ignore_eos ?? false,
    eosTokenId: request.eosTokenId,
  });

  const fault = simulator.faults.plan(c.req.header(FAULT_HEADER));
  if (fault.error) return fault.error.toResponse();
  const local = new AbortController();
  const signal = AbortSignal.any([c.req.raw.signal, simulator.shutdownSignal, local.signal]);
  if (fault.hang) {
    // Accepted and never answered: the client's timeout (or shutdown) ends it.
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    return new Response(null, { status: 499 });
  }
  const total = output.tokenIds.length;
  // Set by the stream: whether chunks are still queued on their way to the socket.
  const queue = { pending: () => false };
  const dropAt = fault.dropAfter === undefined ? undefined : Math.max(1, Math.ceil(fault.dropAfter * total));
  const usage = (emitted: number, cachedTokens: number): Usage => ({
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + emitted,
    completion_tokens: emitted,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  });
  const run = (onProgress: (progress: Progress) => Promise<void> | void) =>
    simulator.engine.run({
      arrivedAt: c.get("arrivedAt"),
      promptTokenIds: request.promptTokenIds,
      outputTokenIds: output.tokenIds,
      finishReason: output.finishReason,
      cacheSalt: body.cache_salt ?? undefined,
      extraDelayMs: fault.extraDelayMs,
      stream: body.stream === true,
      signal,
      onProgress: async (progress) => {
        if (dropAt !== undefined && progress.emitted >= dropAt) {
          await dropConnection(c, local, queue.pending);
          signal.throwIfAborted();
        }
        await onProgress(progress);
      },
    });

  if (body.stream !== true) {
    try {
      const { cachedTokens } = await run(() => {});
      return c.json(shape.complete(output.text, finishOf(output), usage(total, cachedTokens)));
    } catch (error) {
      if (isAbort(error)) return new Response(null, { status: 499 });
      throw error;
    }
  }
  return streamAnswer(request, output, shape, usage, run, local, queue);
}

function finishOf(output: PlannedOutput): Finish {
  return { reason: output.finishReason, stopReason: output.stopReason };
}

function streamAnswer(
  request: GenerationRequest,
  output: PlannedOutput,
  shape: AnswerShape,
  usage: (emitted: number, cachedTokens: number) => Usage,
  run: (onProgress: (progress: Progress) => void) => Promise<unknown>,
  local: AbortController,
  queue: { pending: () => boolean },
): Response {
  const includeUsage = request.body.stream_options?.include_usage ?? request.body.stream_options != null;
  const continuousUsage = includeUsage && request.body.stream_options?.continuous_usage_stats === true;
  let shown = 0;
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      queue.pending = () => open && (controller.desiredSize ?? 1) < 1;
      const send = (data: object | string) => {
        if (open) controller.enqueue(sse(data));
      };
      const onProgress = ({ emitted, done, cachedTokens }: Progress) => {
        const running = continuousUsage ? usage(emitted, cachedTokens) : undefined;
        if (shown === 0 && emitted <= 1) for (const chunk of shape.opening()) send(chunk);
        const visible = output.visibleLength(emitted);
        const text = output.text.slice(shown, visible);
        shown = visible;
        if (done) {
          send(shape.delta(text, finishOf(output), running));
          if (includeUsage) send(shape.usageChunk(usage(emitted, cachedTokens)));
        } else if (text !== "") {
          send(shape.delta(text, null, running));
        }
      };
      run(onProgress)
        .then(() => send("[DONE]"))
        .catch((error: unknown) => {
          // As vLLM does once headers are out: the error goes in the stream, then [DONE].
          if (!isAbort(error)) {
            const failure =
              error instanceof VllmError ? error : new VllmError(500, "InternalServerError", "Internal server error");
            send(failure.toBody());
            send("[DONE]");
          }
        })
        .finally(() => {
          if (open) controller.close();
          open = false;
        });
    },
    cancel() {
      open = false;
      local.abort();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

/**
 * Cuts the TCP connection as a crashed server or a broken proxy would. Chunks already queued are
 * flushed to the socket first, so a client sees a stream that starts well and then breaks.
 */
async function dropConnection(c: Context<SimulatorEnv>, local: AbortController, queued: () => boolean): Promise<void> {
  const socket = c.env?.incoming?.socket;
  if (!socket) {
    // In-process (app.request) there is no socket to cut; fail the request instead.
    local.abort(new VllmError(500, "InternalServerError", "Connection dropped (simulated fault)."));
    return;
  }
  const flushing = () => queued() || socket.writableLength > 0 || (c.env.outgoing?.writableLength ?? 0) > 0;
  for (let turn = 0; turn < 100 && flushing(); turn++) {
    await nextTurn();
  }
  socket.destroy();
  local.abort();
}
