import { problemResponse } from "@devtools/service-kit/errors";
import type { Context } from "hono";
import { failureOf } from "../../failures.ts";

// nginx's "client closed request": nobody reads it, but the request log shows what happened.
const CLIENT_CLOSED_REQUEST = 499;

/**
 * The problem+json answer of a failed execution (with Retry-After when it is transient); rethrows
 * what is not one, for the service kit's 500. A caller that hung up gets an empty 499, not an error.
 */
export function failureResponse(c: Context, error: unknown): Response {
  if (c.req.raw.signal.aborted) return new Response(null, { status: CLIENT_CLOSED_REQUEST });
  const failure = failureOf(error);
  if (!failure) throw error;
  if (failure.retryAfterSeconds !== undefined) c.header("retry-after", String(failure.retryAfterSeconds));
  return problemResponse(c, { ...failure.problem, instance: c.get("requestId") });
}
