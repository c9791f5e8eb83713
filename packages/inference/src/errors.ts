import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { retryAfterMs } from "./retry.ts";

/**
 * How one HTTP attempt ended (the `outcome` label of `inference_requests_total`), or, for
 * `invalid_output`, how a structured call ended although every attempt succeeded.
 */
export type InferenceOutcome =
  | "success"
  | "rate_limited"
  | "server_error"
  | "client_error"
  | "connection_error"
  | "timeout"
  | "aborted"
  | "bad_response"
  | "invalid_output";

/** Base of every error the inference client throws. Messages never contain the API key. */
export class InferenceError extends Error {
  readonly outcome: InferenceOutcome;
  /** Whether another attempt (maybe on another backend) can succeed. */
  readonly retryable: boolean;
  /** The backend's base URL (without credentials), when the failure came from one. */
  readonly backend: string | undefined;
  /** HTTP attempts made before giving up; set by the client when it throws. */
  attempts = 1;

  constructor(
    message: string,
    details: { outcome: InferenceOutcome; retryable: boolean; backend?: string | undefined; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "InferenceError";
    this.outcome = details.outcome;
    this.retryable = details.retryable;
    this.backend = details.backend;
  }

  /**
   * Whether this failure says the backend itself is down or broken (opens its circuit), not just
   * busy or the request bad. Timeouts do not count: a long generation is not a dead server, and
   * the least-busy choice already steers new calls away from a backend whose requests pile up.
   */
  get backendFailed(): boolean {
    return this.outcome === "connection_error" || this.outcome === "server_error";
  }
}

/** The backend answered with an HTTP error status. */
export class InferenceHttpError extends InferenceError {
  readonly status: number;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, message: string, backend: string, retryAfter: number | undefined, cause?: unknown) {
    super(message, {
      outcome: status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "client_error",
      // 408 (timeout) and 409 (conflict, e.g. a replica briefly out of sync) are worth another try; other 4xx are the request's fault.
      retryable: status >= 500 || status === 408 || status === 409 || status === 429,
      backend,
      cause,
    });
    this.name = "InferenceHttpError";
    this.status = status;
    this.retryAfterMs = retryAfter;
  }
}

/** The connection could not be made or broke before the answer was complete. */
export class InferenceConnectionError extends InferenceError {
  constructor(message: string, backend: string, cause?: unknown) {
    super(message, { outcome: "connection_error", retryable: true, backend, cause });
    this.name = "InferenceConnectionError";
  }
}

/** One attempt took longer than its deadline (for streams: no chunk for that long). */
export class InferenceTimeoutError extends InferenceError {
  constructor(timeoutMs: number, backend: string) {
    super(`no answer from ${backend} within ${timeoutMs} ms`, { outcome: "timeout", retryable: true, backend });
    this.name = "InferenceTimeoutError";
  }
}

/** The caller's signal aborted the call; the HTTP request was aborted with it. */
export class InferenceAbortedError extends InferenceError {
  constructor(reason: unknown, backend?: string) {
    super("the inference call was aborted by its caller", {
      outcome: "aborted",
      retryable: false,
      backend,
      cause: reason,
    });
    this.name = "InferenceAbortedError";
  }
}

/** The backend answered 2xx with something that is not a chat completion (no choices, a broken body). */
export class InferenceResponseError extends InferenceError {
  constructor(message: string, backend: string, cause?: unknown) {
    super(message, { outcome: "bad_response", retryable: false, backend, cause });
    this.name = "InferenceResponseError";
  }
}

/** One thing wrong with a model's structured answer: where (a JSON path, "" for the whole) and what. */
export interface OutputIssue {
  path: string;
  message: string;
}

/**
 * The model's structured answer was still invalid after the one repair round. Permanent: the same
 * prompt would most likely fail the same way, so the client does not retry it.
 */
export class InvalidModelOutputError extends InferenceError {
  readonly schemaName: string;
  readonly issues: readonly OutputIssue[];
  /** The last answer the model gave, as text. */
  readonly output: string;

  constructor(schemaName: string, issues: readonly OutputIssue[], output: string, backend: string) {
    const listed = issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
    super(`the model's answer does not match "${schemaName}" after one repair attempt: ${listed}`, {
      outcome: "invalid_output",
      retryable: false,
      backend,
    });
    this.name = "InvalidModelOutputError";
    this.schemaName = schemaName;
    this.issues = issues;
    this.output = output;
  }
}

// undici reports a broken socket as a TypeError ("fetch failed", "terminated") whose cause carries the code.
function isSocketError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (code.startsWith("UND_ERR") || code.startsWith("ECONN") || code === "EPIPE")) {
    return true;
  }
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message)) return true;
  return error.cause !== undefined && isSocketError(error.cause);
}

/** Everything `toInferenceError` needs to know about the attempt that failed. */
export interface FailureContext {
  backend: string;
  timeoutMs: number;
  /** The caller's signal: when it aborted, the failure is the caller's wish, not the backend's fault. */
  callerSignal: AbortSignal | undefined;
  /** The attempt's own deadline. */
  deadline: AbortSignal;
  /** Strings to blank out of messages (the API key). */
  secrets: readonly string[];
}

function scrub(message: string, secrets: readonly string[]): string {
  return secrets.reduce((text, secret) => (secret ? text.split(secret).join("[redacted]") : text), message);
}

/** Maps whatever one attempt threw (SDK errors, undici errors, our own) to a typed InferenceError. */
export function toInferenceError(error: unknown, context: FailureContext): InferenceError {
  const { backend, secrets } = context;
  // Which signal fired decides, whatever shape the resulting error took on its way up.
  if (context.callerSignal?.aborted) return new InferenceAbortedError(context.callerSignal.reason, backend);
  if (context.deadline.aborted || error instanceof APIConnectionTimeoutError) {
    return new InferenceTimeoutError(context.timeoutMs, backend);
  }
  if (error instanceof InferenceError) return error;
  if (error instanceof APIError && typeof error.status === "number") {
    const message = scrub(`${backend} answered ${error.status}: ${error.message}`, secrets);
    return new InferenceHttpError(error.status, message, backend, retryAfterMs(error.headers), error);
  }
  if (error instanceof APIConnectionError || (!(error instanceof APIUserAbortError) && isSocketError(error))) {
    const detail = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return new InferenceConnectionError(scrub(`cannot reach ${backend}: ${detail}`, secrets), backend, error);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new InferenceResponseError(scrub(`unusable answer from ${backend}: ${detail}`, secrets), backend, error);
}
