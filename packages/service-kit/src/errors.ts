import type { Problem, ProblemField } from "@devtools/contracts/problem";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

const STATUS_OF = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  bad_gateway: 502,
  unavailable: 503,
  gateway_timeout: 504,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ProblemCode = keyof typeof STATUS_OF;

const TITLE_OF: Record<ProblemCode, string> = {
  bad_request: "Bad request",
  validation_failed: "Request validation failed",
  malformed_json: "Malformed JSON body",
  unauthorized: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Request body too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  bad_gateway: "Bad gateway",
  unavailable: "Service unavailable",
  gateway_timeout: "Gateway timeout",
};

/** The one error type routes throw; rendered as application/problem+json by the service kit. */
export class HttpError extends HTTPException {
  readonly code: ProblemCode;
  readonly fields: readonly ProblemField[] | undefined;

  constructor(code: ProblemCode, detail: string, options: { fields?: readonly ProblemField[]; cause?: unknown } = {}) {
    super(STATUS_OF[code], { message: detail, cause: options.cause });
    this.code = code;
    this.fields = options.fields;
  }

  /** A zod failure on one part of the request (`json`, `query`, `param`…), naming each failing field. */
  static fromZod(error: z.ZodError, target: string): HttpError {
    const fields = error.issues.flatMap((issue): ProblemField[] => {
      const path = issue.path.map(String);
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
          field: [...path, key].join("."),
          message: "is not a known field",
          code: issue.code,
        }));
      }
      return [{ field: path.join(".") || "(body)", message: issue.message, code: issue.code }];
    });
    const where = target === "json" ? "body" : target;
    const detail = fields.map((field) => `${field.field}: ${field.message}`).join("; ");
    return new HttpError("validation_failed", `invalid ${where}: ${detail}`, { fields });
  }
}

function codeForStatus(status: number): ProblemCode {
  const match = Object.entries(STATUS_OF).find(([, value]) => value === status);
  return (match?.[0] as ProblemCode | undefined) ?? (status >= 500 ? "internal" : "bad_request");
}

export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    // The rest of an oversized body is never read, so the connection cannot carry another request.
    ...(problem.status === 413 ? { connection: "close" } : {}),
  });
}

/** Builds the problem document for any thrown value; unknown errors reveal nothing but the request id. */
export function toProblem(error: unknown, instance: string | undefined): Problem {
  if (error instanceof HttpError) {
    return {
      type: `urn:devtools:problem:${error.code}`,
      title: TITLE_OF[error.code],
      status: error.status,
      detail: error.message,
      instance,
      ...(error.fields ? { errors: [...error.fields] } : {}),
    };
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = codeForStatus(error.status);
    return {
      type: `urn:devtools:problem:${code}`,
      title: TITLE_OF[code],
      status: error.status,
      detail: error.message,
      instance,
    };
  }
  return { type: "urn:devtools:problem:internal", title: TITLE_OF.internal, status: 500, instance };
}
