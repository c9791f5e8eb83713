import type { ResponseFormatJSONSchema } from "openai/resources/shared";
import type { z } from "zod";
import {
  addUsage,
  type CallOptions,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ObjectCallOptions,
  type TokenUsage,
} from "./chat.ts";
import { InvalidModelOutputError, type OutputIssue } from "./errors.ts";
import { strictJsonSchema } from "./json-schema.ts";
import { buildPrompt, type PromptPart } from "./prompt.ts";

/** Extra checks on a value the schema accepted (a YAML or Dockerfile parser…): problems, or none. */
export type OutputCheck<T> = (
  value: T,
) => readonly (string | OutputIssue)[] | Promise<readonly (string | OutputIssue)[]>;

/** A structured call: the answer must parse as JSON and match `schema` (and pass `check`). */
export interface GenerateObjectRequest<Schema extends z.ZodType> {
  schema: Schema;
  /** Names the schema for the backend (`json_schema.name`): letters, digits, `_` and `-`, up to 64. */
  name: string;
  /** The role and rules of the model; static, so it belongs to the cached prefix. */
  system: string;
  /** How to do the task, the same for every call of this kind; static too. */
  instructions?: string;
  /** What differs per call (the subtask, upstream results), written last. */
  input: PromptPart | readonly PromptPart[];
  check?: OutputCheck<z.output<Schema>>;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  extraBody?: Record<string, unknown>;
}

/** The validated answer of a structured call. */
export interface ObjectResult<T> {
  value: T;
  /** Both rounds summed when a repair was needed. */
  usage: TokenUsage;
  /** Whether the first answer was invalid and the repair round fixed it. */
  repaired: boolean;
  model: string;
  backend: string;
  /** HTTP attempts over both rounds. */
  attempts: number;
}

/** What the structured call needs from the client. */
export interface StructuredDependencies {
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  repaired?(model: string, outcome: "repaired" | "failed"): void;
}

interface StructuredFormat {
  responseFormat: ResponseFormatJSONSchema;
  /** The schema as the prompt shows it: computed once, so byte-identical on every call. */
  description: string;
}

const formats = new WeakMap<z.ZodType, Map<string, StructuredFormat>>();

/** The response format and prompt text of `schema` under `name`, computed once per schema and name. */
export function structuredFormat(schema: z.ZodType, name: string): StructuredFormat {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new TypeError(`structured output name "${name}" must be 1-64 letters, digits, "_" or "-"`);
  }
  const byName = formats.get(schema) ?? new Map<string, StructuredFormat>();
  formats.set(schema, byName);
  let format = byName.get(name);
  if (!format) {
    const jsonSchema = strictJsonSchema(schema);
    format = {
      responseFormat: { type: "json_schema", json_schema: { name, schema: jsonSchema, strict: true } },
      description: `Answer with one JSON object and nothing else. It must match this JSON schema, named "${name}":\n${JSON.stringify(jsonSchema)}`,
    };
    byName.set(name, format);
  }
  return format;
}

/** `a.b[0].c`, the way the repair prompt and InvalidModelOutputError name places in the answer. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : `${index ? "." : ""}${String(key)}`))
    .join("");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

/** Deletes the nulls zod rejected where a key may be absent: strict mode made the model write null for "absent". */
function dropRejectedNulls(json: unknown, issues: readonly z.core.$ZodIssue[]): boolean {
  let dropped = false;
  for (const issue of issues) {
    const key = issue.path.at(-1);
    // Whatever zod called it (invalid_type, invalid_value for enums and literals), a rejected null is a candidate.
    if (key === undefined || valueAt(json, issue.path) !== null) continue;
    const parent = valueAt(json, issue.path.slice(0, -1));
    if (parent === null || typeof parent !== "object" || Array.isArray(parent)) continue;
    delete (parent as Record<PropertyKey, unknown>)[key];
    dropped = true;
  }
  return dropped;
}

// Some backends without guided decoding wrap JSON in a Markdown fence despite the instructions.
const unfenced = (text: string) =>
  text
    .trim()
    .replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/, "$1")
    .trim();

type Validation<T> = { ok: true; value: T } | { ok: false; issues: OutputIssue[] };

/** Parses and validates a model's answer: JSON, then the schema, then `check`. */
export async function parseAnswer<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
  check?: OutputCheck<z.output<Schema>>,
): Promise<Validation<z.output<Schema>>> {
  let json: unknown;
  try {
    json = JSON.parse(unfenced(text));
  } catch (error) {
    return { ok: false, issues: [{ path: "", message: `not valid JSON (${(error as Error).message})` }] };
  }
  let parsed = await schema.safeParseAsync(json);
  if (!parsed.success && dropRejectedNulls(json, parsed.error.issues)) {
    const again = await schema.safeParseAsync(json);
    if (again.success) parsed = again;
  }
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })),
    };
  }
  const problems = check ? await check(parsed.data) : [];
  if (problems.length > 0) {
    return {
      ok: false,
      issues: problems.map((problem) => (typeof problem === "string" ? { path: "", message: problem } : problem)),
    };
  }
  return { ok: true, value: parsed.data };
}

/** The user message of the repair round: what was wrong, and what to do. */
function repairInstruction(issues: readonly OutputIssue[], finishReason: string | null): string {
  const lines = issues.map((issue) => `- ${issue.path || "(the whole answer)"}: ${issue.message}`);
  if (finishReason === "length") lines.push("- the answer was cut off at the token limit: keep it shorter");
  return `Your previous answer is not valid:\n${lines.join("\n")}\n\nAnswer again with the complete, corrected JSON object only.`;
}

/**
 * Asks for a JSON answer matching `request.schema` and validates it. An invalid first answer gets
 * exactly one repair round, which shows the model its answer and what is wrong with it (the prompt
 * before it unchanged, so still a prefix-cache hit); if that answer is invalid too, the call fails
 * with InvalidModelOutputError.
 */
export async function generateObject<Schema extends z.ZodType>(
  dependencies: StructuredDependencies,
  request: GenerateObjectRequest<Schema>,
  { onRound, onAnswer, onDelta: _streamedByTheClient, ...options }: ObjectCallOptions = {},
): Promise<ObjectResult<z.output<Schema>>> {
  const format = structuredFormat(request.schema, request.name);
  let round = 0;
  const messages = buildPrompt({
    staticParts: [request.system, format.description, request.instructions],
    variableParts: Array.isArray(request.input) ? request.input : [request.input as PromptPart],
  });
  const ask = async (conversation: ChatMessage[]) => {
    onRound?.(++round);
    const answer = await dependencies.chat(
      {
        messages: conversation,
        model: request.model,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        seed: request.seed,
        extraBody: request.extraBody,
        responseFormat: format.responseFormat,
      },
      options,
    );
    onAnswer?.(answer.usage);
    return answer;
  };

  const first = await ask(messages);
  const firstCheck = await parseAnswer(first.text, request.schema, request.check);
  const result = (answer: ChatResult, value: z.output<Schema>, usage: TokenUsage, repaired: boolean) => ({
    value,
    usage,
    repaired,
    model: answer.model,
    backend: answer.backend,
    attempts: first.attempts + (repaired ? answer.attempts : 0),
  });
  if (firstCheck.ok) return result(first, firstCheck.value, first.usage, false);

  const second = await ask([
    ...messages,
    { role: "assistant", content: first.text },
    { role: "user", content: repairInstruction(firstCheck.issues, first.finishReason) },
  ]);
  const secondCheck = await parseAnswer(second.text, request.schema, request.check);
  dependencies.repaired?.(second.model, secondCheck.ok ? "repaired" : "failed");
  if (secondCheck.ok) return result(second, secondCheck.value, addUsage(first.usage, second.usage), true);
  const error = new InvalidModelOutputError(request.name, secondCheck.issues, second.text, second.backend);
  error.attempts = first.attempts + second.attempts;
  throw error;
}
