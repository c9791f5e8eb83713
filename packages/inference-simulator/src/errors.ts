/**
 * Errors on vLLM's wire: `{"error": {"message", "type", "param", "code"}}` with `code` the HTTP
 * status as a number (vllm/entrypoints/openai/engine/protocol.py ErrorInfo). Unlike the platform's
 * services (problem+json), the simulator must answer exactly as vLLM does, so that the production
 * client code paths are the ones under test.
 */
export interface VllmErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

/** A failure to answer in vLLM's shape; the app's error handler renders it. */
export class VllmError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;

  constructor(status: number, type: string, message: string, param: string | null = null) {
    super(message);
    this.name = "VllmError";
    this.status = status;
    this.type = type;
    this.param = param;
  }

  toBody(): VllmErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }

  toResponse(): Response {
    return Response.json(this.toBody(), { status: this.status });
  }
}

/** serving_engine.create_error_response's default: 400 BadRequestError. */
export function badRequest(message: string, param: string | null = null): VllmError {
  return new VllmError(400, "BadRequestError", message, param);
}

/** What vLLM's _check_model answers for a name it does not serve. */
export function modelNotFound(model: string): VllmError {
  return new VllmError(404, "NotFoundError", `The model \`${model}\` does not exist.`, "model");
}

/** vLLM's _validate_input checks, with its exact wording. */
export function contextLengthError(maxModelLen: number, promptTokens: number, maxTokens?: number): VllmError {
  if (maxTokens === undefined) {
    return badRequest(
      `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
      "input_tokens",
    );
  }
  return badRequest(
    `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${promptTokens} input tokens (${maxTokens} > ${maxModelLen} - ${promptTokens}).`,
    "max_tokens",
  );
}

/** One entry of a pydantic validation error, as FastAPI reports it. */
export interface ValidationIssue {
  type: string;
  loc: readonly (string | number)[];
  msg: string;
  input?: unknown;
}

/**
 * FastAPI's RequestValidationError as vLLM's handler renders it: 400, type "Bad Request", the
 * errors listed one per line in Python repr, `param` the dotted location of the first one.
 */
export function validationError(issues: readonly ValidationIssue[], param?: string): VllmError {
  const label = issues.length === 1 ? "error" : "errors";
  const lines = issues.map((issue) => `  ${pythonRepr(issueRecord(issue))}`);
  const message = `${issues.length} validation ${label}:\n${lines.join("\n")}`;
  return new VllmError(400, "Bad Request", message, param ?? issues[0]?.loc.join(".") ?? null);
}

function issueRecord(issue: ValidationIssue): Record<string, unknown> {
  const record: Record<string, unknown> = { type: issue.type, loc: new PythonTuple(issue.loc), msg: issue.msg };
  if ("input" in issue) record.input = issue.input;
  return record;
}

class PythonTuple {
  readonly items: readonly unknown[];
  constructor(items: readonly unknown[]) {
    this.items = items;
  }
}

const MAX_REPR = 200;

/** Python's repr of JSON-like values, shortened, for messages that mirror pydantic's. */
function pythonRepr(value: unknown, depth = 0): string {
  if (value instanceof PythonTuple) {
    const inner = value.items.map((item) => pythonRepr(item, depth + 1));
    return inner.length === 1 ? `(${inner[0]},)` : `(${inner.join(", ")})`;
  }
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const short = value.length > MAX_REPR ? `${value.slice(0, MAX_REPR)}...` : value;
    return `'${short.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
  }
  if (depth > 3) return "...";
  if (Array.isArray(value)) return `[${value.map((item) => pythonRepr(item, depth + 1)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `'${key}': ${pythonRepr(item, depth + 1)}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}
