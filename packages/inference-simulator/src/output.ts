import { generateDocument } from "./json-schema-document.ts";
import { generateProse } from "./prose.ts";
import type { Rng } from "./random.ts";
import { sampleRegex } from "./regex-sample.ts";
import { tokenize } from "./tokenizer.ts";
import type { Topic } from "./topic.ts";

/** What decoding is constrained to, from response_format / structured_outputs / guided_*. */
export type OutputConstraint =
  | { kind: "text" }
  | { kind: "json_schema"; schema: unknown }
  | { kind: "json_object" }
  | { kind: "choice"; choices: string[] }
  | { kind: "regex"; pattern: string };

export interface OutputRequest {
  constraint: OutputConstraint;
  topic: Topic;
  /** The prompt, searched for a JSON example when only json_object is asked for. */
  promptText: string;
  rng: Rng;
  maxTokens: number;
  stop: readonly string[];
  includeStopStrInOutput: boolean;
  /** vLLM's ignore_eos: keep generating until max_tokens (what benchmarks use). */
  ignoreEos: boolean;
  eosTokenId: number;
}

/** The whole answer, decided up front; streaming only decides when each part is revealed. */
export interface PlannedOutput {
  /** Every generated token, counted in usage (the EOS token included when generation ended on it). */
  tokenIds: number[];
  /** What the client sees. */
  text: string;
  finishReason: "stop" | "length";
  /** vLLM's stop_reason: the stop string that ended generation, else null. */
  stopReason: string | null;
  /** How much of `text` is visible once `emitted` tokens are out. */
  visibleLength: (emitted: number) => number;
}

const NATURAL_LENGTH = [40, 150] as const;

function rawText(request: OutputRequest): string {
  const { constraint, rng, topic } = request;
  switch (constraint.kind) {
    case "json_schema":
      return JSON.stringify(generateDocument(constraint.schema, rng, topic));
    case "json_object":
      return JSON.stringify(generateDocument(schemaFromPrompt(request.promptText), rng, topic));
    case "choice":
      return rng.pick(constraint.choices);
    case "regex":
      return sampleRegex(constraint.pattern, rng) ?? "";
    case "text": {
      const target = request.ignoreEos ? request.maxTokens : rng.int(...NATURAL_LENGTH);
      return generateProse(topic, rng, target);
    }
  }
}

/** Plans the output: the generated text, cut by the first stop string or by max_tokens. */
export function planOutput(request: OutputRequest): PlannedOutput {
  let generated = rawText(request);
  let visible = generated;
  let stopReason: string | null = null;
  let endsWithEos = !request.ignoreEos;
  const stopAt = firstStop(generated, request.stop);
  if (stopAt) {
    // The stop string was generated (its tokens count) but, by default, is not shown.
    generated = generated.slice(0, stopAt.index + stopAt.stop.length);
    visible = request.includeStopStrInOutput ? generated : generated.slice(0, stopAt.index);
    stopReason = stopAt.stop;
    endsWithEos = false;
  }
  const tokens = tokenize(generated);
  let finishReason: PlannedOutput["finishReason"] = "stop";
  if (tokens.length + (endsWithEos ? 1 : 0) > request.maxTokens) {
    tokens.length = request.maxTokens;
    const cut = tokens.map((token) => token.text).join("");
    visible = visible.slice(0, Math.min(visible.length, cut.length));
    finishReason = "length";
    stopReason = null;
    endsWithEos = false;
  }
  const ends: number[] = [];
  let length = 0;
  for (const token of tokens) {
    length += token.text.length;
    ends.push(length);
  }
  const tokenIds = tokens.map((token) => token.id);
  if (endsWithEos) tokenIds.push(request.eosTokenId);
  return {
    tokenIds,
    text: visible,
    finishReason,
    stopReason,
    visibleLength: (emitted) =>
      Math.min(visible.length, emitted > 0 ? (ends[Math.min(emitted, ends.length) - 1] ?? 0) : 0),
  };
}

function firstStop(text: string, stops: readonly string[]): { index: number; stop: string } | undefined {
  let best: { index: number; stop: string } | undefined;
  for (const stop of stops) {
    if (stop === "") continue;
    const index = text.indexOf(stop);
    if (index >= 0 && (best === undefined || index < best.index)) best = { index, stop };
  }
  return best;
}

/**
 * json_object has no schema: mirror the first JSON object the prompt shows as an example (prompts
 * asking for JSON usually include one), else answer with a summary and a list of points.
 */
function schemaFromPrompt(prompt: string): unknown {
  for (let start = prompt.indexOf("{"); start >= 0; start = prompt.indexOf("{", start + 1)) {
    const example = parseObjectAt(prompt, start);
    if (example !== undefined) return schemaOfExample(example);
  }
  return {
    type: "object",
    properties: { summary: { type: "string" }, points: { type: "array", items: { type: "string" } } },
    required: ["summary", "points"],
  };
}

function parseObjectAt(text: string, start: number): Record<string, unknown> | undefined {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (text[index] === "{") depth++;
    else if (text[index] === "}" && --depth === 0) {
      try {
        const value: unknown = JSON.parse(text.slice(start, index + 1));
        return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
          ? (value as Record<string, unknown>)
          : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function schemaOfExample(value: unknown): unknown {
  if (Array.isArray(value))
    return { type: "array", items: value.length > 0 ? schemaOfExample(value[0]) : {}, minItems: 1 };
  if (value === null) return { type: "null" };
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return {
      type: "object",
      properties: Object.fromEntries(entries.map(([key, item]) => [key, schemaOfExample(item)])),
      required: entries.map(([key]) => key),
    };
  }
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  return { type: typeof value };
}
