import { AsyncLocalStorage } from "node:async_hooks";
import {
  type CallOptions,
  type ChatRequest,
  type ChatResult,
  type GenerateObjectRequest,
  InferenceClient,
  type ObjectResult,
  type TokenUsage,
} from "@devtools/inference/client";
import { InferenceResponseError } from "@devtools/inference/errors";
import type { z } from "zod";
import type { ExecutionEvents } from "./execution-events.ts";

/** The model rounds of one structured call: how many ran and the tokens the answered ones took. */
export interface RoundTally {
  rounds: number;
  usage: TokenUsage;
}

export const newTally = (): RoundTally => ({
  rounds: 0,
  usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedPromptTokens: 0 },
});

interface ObservedCall {
  events: ExecutionEvents;
  /** Ask for each round as a stream and pass its text on as `token` events. */
  stream: boolean;
  tally: RoundTally;
}

const observed = new AsyncLocalStorage<ObservedCall>();

function add(tally: RoundTally, usage: TokenUsage): void {
  tally.usage = {
    promptTokens: tally.usage.promptTokens + usage.promptTokens,
    completionTokens: tally.usage.completionTokens + usage.completionTokens,
    totalTokens: tally.usage.totalTokens + usage.totalTokens,
    cachedPromptTokens: (tally.usage.cachedPromptTokens ?? 0) + (usage.cachedPromptTokens ?? 0),
  };
}

/**
 * The inference client with structured calls that can be watched and streamed. `generateObject`
 * stays the one implementation of validation and repair: it asks for each round through
 * `this.chat`, which, inside `generateObserved`, reports the round (generating, then checking;
 * repairing, then checking) and, when streaming, sends the same request (response_format included)
 * through `stream()`, passing the text on as it comes. The tally counts every round's tokens, also
 * when the call fails, which `generateObject`'s own result cannot.
 */
export class AgentInferenceClient extends InferenceClient {
  /** `generateObject`, reporting rounds to `call.events` and counting them in `call.tally`. */
  generateObserved<Schema extends z.ZodType>(
    request: GenerateObjectRequest<Schema>,
    call: ObservedCall,
    options: CallOptions = {},
  ): Promise<ObjectResult<z.output<Schema>>> {
    return observed.run(call, () => this.generateObject(request, options));
  }

  override async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const call = observed.getStore();
    if (!call) return super.chat(request, options);
    call.tally.rounds += 1;
    call.events.phase(call.tally.rounds === 1 ? "generating" : "repairing");
    const answer = call.stream
      ? await this.#streamed(request, options, call.events)
      : await super.chat(request, options);
    add(call.tally, answer.usage);
    call.events.phase("checking");
    return answer;
  }

  async #streamed(request: ChatRequest, options: CallOptions, events: ExecutionEvents): Promise<ChatResult> {
    for await (const event of this.stream(request, options)) {
      if (event.type === "delta") events.token(event.text);
      else return event.result;
    }
    // stream() ends with `done` or throws; this is only reachable if that contract breaks.
    throw new InferenceResponseError("the stream ended without a result", "unknown");
  }
}
