import type { Problem, ProblemField } from "@devtools/contracts/problem";
import {
  InferenceAbortedError,
  InferenceError,
  InferenceHttpError,
  InferenceResponseError,
  InvalidModelOutputError,
} from "@devtools/inference/errors";
import { IdempotencyConflictError, InferenceNotConfiguredError } from "./errors.ts";
import type { ExecutionOutcome } from "./metrics.ts";

/** How an execution failed, for the caller (a problem document) and for the metrics (an outcome). */
export interface Failure {
  outcome: ExecutionOutcome;
  problem: Problem;
  /** Sent as Retry-After: the failure is transient and the same request may succeed later. */
  retryAfterSeconds?: number;
}

// Long enough for a restarting backend or a drained queue; the orchestrator's backoff adds to it.
const TRANSIENT_RETRY_AFTER_SECONDS = 5;
// Configuration does not fix itself in seconds; a deploy or restart does.
const CONFIGURATION_RETRY_AFTER_SECONDS = 30;

const problem = (code: string, title: string, status: number, detail: string, errors?: ProblemField[]): Problem => ({
  type: `urn:devtools:problem:${code}`,
  title,
  status,
  detail,
  ...(errors ? { errors } : {}),
});

function unavailable(error: InferenceError): Failure {
  const retryAfterMs = error instanceof InferenceHttpError ? error.retryAfterMs : undefined;
  return {
    outcome: "unavailable",
    problem: problem(
      "inference_unavailable",
      "Inference backend unavailable",
      503,
      `the model could not be reached or did not answer in time: ${error.message}`,
    ),
    retryAfterSeconds: retryAfterMs ? Math.max(1, Math.ceil(retryAfterMs / 1000)) : TRANSIENT_RETRY_AFTER_SECONDS,
  };
}

/**
 * Maps what an execution threw to its problem: 422 when the model cannot produce a valid output for
 * this input (permanent: do not retry), 503 with Retry-After when the backend is down, busy, slow or
 * not configured (transient: retry later), 502 when it answered something unusable, 409 for a reused
 * idempotency key. Undefined for anything else: a bug, for the service kit's bare 500.
 */
export function failureOf(error: unknown): Failure | undefined {
  if (error instanceof IdempotencyConflictError) {
    return {
      outcome: "error",
      problem: problem("idempotency_conflict", "Idempotency key reused", 409, error.message, [
        { field: "idempotency_key", message: "was already used with a different request body", code: "conflict" },
      ]),
    };
  }
  if (error instanceof InferenceNotConfiguredError) {
    return {
      outcome: "unavailable",
      problem: problem("inference_not_configured", "Inference backend not configured", 503, error.message),
      retryAfterSeconds: CONFIGURATION_RETRY_AFTER_SECONDS,
    };
  }
  if (error instanceof InvalidModelOutputError) {
    const errors = error.issues.map((issue) => ({
      field: issue.path ? `output.${issue.path}` : "output",
      message: issue.message,
      code: "invalid_model_output",
    }));
    return {
      outcome: "invalid_output",
      problem: problem("invalid_model_output", "Invalid model output", 422, error.message, errors),
    };
  }
  if (!(error instanceof InferenceError)) return undefined;
  if (error instanceof InferenceAbortedError) {
    return {
      outcome: "cancelled",
      problem: problem(
        "execution_cancelled",
        "Execution cancelled",
        503,
        "the execution was cancelled before it ended",
      ),
      retryAfterSeconds: 1,
    };
  }
  if (error instanceof InferenceHttpError && !error.retryable) {
    // A key the backend refuses or a model it does not serve: the deployment's fault, fixed by configuration.
    if ([401, 403, 404].includes(error.status)) {
      return { ...unavailable(error), retryAfterSeconds: CONFIGURATION_RETRY_AFTER_SECONDS };
    }
    // The request itself (too long for the context window…): the same input fails the same way.
    return {
      outcome: "rejected",
      problem: problem(
        "inference_rejected",
        "Inference backend rejected the request",
        422,
        `the model cannot take this subtask as it is: ${error.message}`,
      ),
    };
  }
  if (error instanceof InferenceResponseError) {
    return {
      outcome: "bad_gateway",
      problem: problem("inference_bad_response", "Unusable answer from the inference backend", 502, error.message),
    };
  }
  return unavailable(error);
}
