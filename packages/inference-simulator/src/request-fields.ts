import { z } from "zod";
import { badRequest, type VllmError } from "./errors.ts";
import type { OutputConstraint } from "./output.ts";
import { requestRuleError } from "./validation.ts";

const jsonSchemaValue = z.union([z.string(), z.record(z.string(), z.unknown()), z.boolean()]);

/**
 * Request fields shared by /v1/chat/completions and /v1/completions, typed as vLLM's pydantic
 * models type them (protocol.py). Objects are loose: like vLLM (extra="allow"), unknown fields
 * are accepted and ignored.
 */
export const generationFields = {
  model: z.string().nullish(),
  max_tokens: z.int().nullish(),
  n: z.int().nullish(),
  seed: z.int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z
    .looseObject({ include_usage: z.boolean().nullish(), continuous_usage_stats: z.boolean().nullish() })
    .nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.int().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  user: z.string().nullish(),
  response_format: z
    .looseObject({
      type: z.enum(["text", "json_object", "json_schema", "structural_tag"]),
      json_schema: z
        .looseObject({ name: z.string(), schema: z.unknown().optional(), strict: z.boolean().nullish() })
        .nullish(),
    })
    .nullish(),
  structured_outputs: z
    .looseObject({
      json: jsonSchemaValue.nullish(),
      regex: z.string().nullish(),
      choice: z.array(z.string()).nullish(),
      json_object: z.boolean().nullish(),
    })
    .nullish(),
  // Removed from vLLM in 0.12 in favour of structured_outputs; still accepted here for older clients.
  guided_json: jsonSchemaValue.nullish(),
  guided_regex: z.string().nullish(),
  guided_choice: z.array(z.string()).nullish(),
  ignore_eos: z.boolean().nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
  cache_salt: z.string().min(1).nullish(),
};

const common = z.object(generationFields);
export type GenerationFields = z.infer<typeof common>;

function parseJsonSchema(value: z.infer<typeof jsonSchemaValue>): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest("The provided JSON schema is not valid JSON.", "structured_outputs.json");
  }
}

/**
 * What decoding is constrained to. vLLM's precedence: structured_outputs (or the legacy guided_*
 * fields), then response_format. @throws VllmError for contradictory or malformed constraints.
 */
export function outputConstraintOf(body: GenerationFields): OutputConstraint {
  const structured = body.structured_outputs ?? {
    json: body.guided_json,
    regex: body.guided_regex,
    choice: body.guided_choice,
  };
  const kinds = [structured.json, structured.regex, structured.choice].filter((value) => value != null);
  if (kinds.length > 1) {
    throw requestRuleError(
      "You can only use one kind of constraints for structured outputs ('json', 'regex' or 'choice').",
    );
  }
  if (structured.json != null) return { kind: "json_schema", schema: parseJsonSchema(structured.json) };
  if (structured.regex != null) return { kind: "regex", pattern: structured.regex };
  if (structured.choice != null) {
    if (structured.choice.length === 0) throw badRequest("`choice` must contain at least one option.", "choice");
    return { kind: "choice", choices: structured.choice };
  }
  if ("json_object" in structured && structured.json_object) return { kind: "json_object" };

  const format = body.response_format;
  if (format?.type === "json_schema") {
    if (!format.json_schema) {
      throw requestRuleError(
        "When response_format type is 'json_schema', the 'json_schema' field must be provided.",
        "response_format",
      );
    }
    return format.json_schema.schema === undefined
      ? { kind: "json_object" }
      : { kind: "json_schema", schema: format.json_schema.schema };
  }
  if (format?.type === "json_object") return { kind: "json_object" };
  return { kind: "text" };
}

/** Checks vLLM makes before generating, for fields both endpoints share. */
export function checkGenerationFields(body: GenerationFields): VllmError | undefined {
  if (body.stream_options && !body.stream) {
    return requestRuleError("Stream options can only be defined when `stream=True`.", "stream_options");
  }
  if (body.n != null && body.n !== 1) {
    return badRequest("The inference simulator generates one choice per request: n must be 1.", "n");
  }
  return undefined;
}

export function stopStrings(stop: GenerationFields["stop"]): string[] {
  if (stop == null) return [];
  return typeof stop === "string" ? [stop] : stop;
}
