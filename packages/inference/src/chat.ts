import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema, ResponseFormatText } from "openai/resources/shared";

/** One message of a conversation. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What the backend should constrain the answer to: vLLM turns `json_schema` into guided decoding. */
export type ResponseFormat = ResponseFormatText | ResponseFormatJSONObject | ResponseFormatJSONSchema;

/** A chat completion request, backend-neutral: the client fills in the model and sends it to a backend. */
export interface ChatRequest {
  messages: readonly ChatMessage[];
  /** Overrides the configured model for this call. */
  model?: string;
  temperature?: number;
  /** Sent as `max_tokens`, which vLLM, Ollama, LM Studio and OpenAI all read. */
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  responseFormat?: ResponseFormat;
  /** Further body fields the backend understands (vLLM's `top_k`, `chat_template_kwargs`…), sent as they are. */
  extraBody?: Record<string, unknown>;
}

/** Per-call overrides of the client's defaults. */
export interface CallOptions {
  /** Cancels the call: a queued request leaves the queue, a running one has its HTTP request aborted. */
  signal?: AbortSignal;
  /** Deadline of each HTTP attempt (for streams: the longest silence between chunks). */
  timeoutMs?: number;
  /** Attempts after the first, on retryable failures. */
  maxRetries?: number;
}

/** Per-call hooks of a structured call, for progress views and token accounting. */
export interface ObjectCallOptions extends CallOptions {
  /** A round starts: 1 is the answer, 2 the repair. */
  onRound?: (round: number) => void;
  /** A round was answered, with its usage: failed calls' tokens can be counted too. */
  onAnswer?: (usage: TokenUsage) => void;
  /** When given, each round is streamed and its text passed on as it arrives. */
  onDelta?: (text: string) => void;
}

/** Tokens one call (or several, summed) consumed, as the backend reported them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the prefix cache, when the backend reports it (vLLM with prompt-tokens details, OpenAI). */
  cachedPromptTokens: number | undefined;
}

/** The answer to a chat call. */
export interface ChatResult {
  text: string;
  /** `stop`, `length` (cut at max tokens), … as the backend said. */
  finishReason: string | null;
  usage: TokenUsage;
  /** The model that answered. */
  model: string;
  /** The backend that answered (base URL without credentials). */
  backend: string;
  /** HTTP attempts it took, 1 when the first one succeeded. */
  attempts: number;
}

/** What a streaming call yields: text deltas as they come, then one `done` with the whole result. */
export type ChatStreamEvent = { type: "delta"; text: string } | { type: "done"; result: ChatResult };

export const NO_USAGE: TokenUsage = {
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  cachedPromptTokens: undefined,
};

/** Our usage shape from the wire's; backends that report no usage count as zero. */
export function usageOf(usage: CompletionUsage | null | undefined): TokenUsage {
  if (!usage) return NO_USAGE;
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    totalTokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
  };
}

/** The sum of two usages (a structured call and its repair round). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const cached =
    a.cachedPromptTokens === undefined && b.cachedPromptTokens === undefined
      ? undefined
      : (a.cachedPromptTokens ?? 0) + (b.cachedPromptTokens ?? 0);
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    cachedPromptTokens: cached,
  };
}

/** The request body the SDK sends, without the `stream` flag. */
export function completionBody(request: ChatRequest, model: string): ChatCompletionCreateParamsBase {
  const body: ChatCompletionCreateParamsBase = {
    ...request.extraBody,
    model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.responseFormat !== undefined) body.response_format = request.responseFormat;
  return body;
}
