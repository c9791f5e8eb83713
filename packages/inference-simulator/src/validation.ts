import type { z } from "zod";
import { type ValidationIssue, type VllmError, validationError } from "./errors.ts";

/**
 * Reads a JSON request body and validates it, failing the way FastAPI + pydantic do in vLLM:
 * malformed JSON is a `json_invalid` error at ('body', position), a missing field is `missing`
 * "Field required", a wrong type is e.g. `int_type` "Input should be a valid integer".
 */
export function parseRequestBody<Schema extends z.ZodType>(text: string, schema: Schema): z.infer<Schema> {
  if (text.trim() === "") throw validationError([{ type: "missing", loc: ["body"], msg: "Field required" }]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8 names the position, except for a truncated document, which fails at its end.
    const position = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? text.length);
    throw validationError([{ type: "json_invalid", loc: ["body", position], msg: "JSON decode error", input: {} }]);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw validationError([
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: json,
      },
    ]);
  }
  const result = schema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  throw validationError(result.error.issues.map(toPydanticIssue));
}

/** A semantic check that vLLM makes in a pydantic model validator (VLLMValidationError). */
export function requestRuleError(message: string, param?: string): VllmError {
  return validationError([{ type: "value_error", loc: ["body"], msg: `Value error, ${message}` }], param);
}

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ["string_type", "Input should be a valid string"],
  number: ["float_type", "Input should be a valid number"],
  int: ["int_type", "Input should be a valid integer"],
  boolean: ["bool_type", "Input should be a valid boolean"],
  array: ["list_type", "Input should be a valid list"],
  object: ["dict_type", "Input should be a valid dictionary"],
  record: ["dict_type", "Input should be a valid dictionary"],
};

function toPydanticIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const loc = ["body", ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))];
  const input = "input" in issue ? issue.input : undefined;
  const withInput = (type: string, msg: string): ValidationIssue => ({ type, loc, msg, input });
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) return { type: "missing", loc, msg: "Field required" };
      const [type, msg] = TYPE_NAMES[issue.expected] ?? ["value_error", issue.message];
      return withInput(type, msg);
    }
    case "too_small":
      return issue.origin === "number" || issue.origin === "int"
        ? withInput("greater_than_equal", `Input should be greater than or equal to ${issue.minimum}`)
        : withInput("too_short", `Value should have at least ${issue.minimum} items`);
    case "too_big":
      return issue.origin === "number" || issue.origin === "int"
        ? withInput("less_than_equal", `Input should be less than or equal to ${issue.maximum}`)
        : withInput("too_long", `Value should have at most ${issue.maximum} items`);
    case "invalid_value":
      return withInput(
        "literal_error",
        `Input should be ${issue.values.map((value) => `'${String(value)}'`).join(" or ")}`,
      );
    default:
      return withInput("value_error", `Value error, ${issue.message}`);
  }
}
