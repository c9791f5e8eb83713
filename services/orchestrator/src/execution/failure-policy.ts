import { ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { DispatchAnswer } from "./dispatcher/agent-client.ts";
import type { SubtaskOutcome } from "./settle.ts";

export interface RetryPolicy {
  /** Dispatches per generation, the first included. */
  maxAttempts: number;
  /** Backoff ceiling after the first failure; it doubles with each further one. */
  baseDelayMs: number;
  /** No wait is longer, whatever the backoff or a Retry-After say. */
  maxDelayMs: number;
}

/** What one answer (or its absence) means for the subtask. */
export type Verdict =
  | { kind: "succeeded"; result: ExecuteResult }
  | {
      kind: "transient";
      error: string;
      /** The agent's Retry-After, in milliseconds. */
      retryAfterMs: number | undefined;
      /** The agent is down or asked everyone to back off: pause its other subtasks too. */
      agentUnavailable: boolean;
    }
  | { kind: "permanent"; error: string };

const MAX_ERROR_LENGTH = 2_000;
const clip = (text: string) => (text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text);

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The problem document's title, detail and failing fields, as one line. */
function describeProblem(body: unknown): string {
  if (typeof body === "string") return body.trim().slice(0, 500) || "(empty body)";
  if (body === null || typeof body !== "object") return String(body);
  const problem = body as { title?: unknown; detail?: unknown; errors?: unknown };
  const parts = [problem.title, problem.detail].filter((part): part is string => typeof part === "string" && !!part);
  if (Array.isArray(problem.errors) && problem.errors.length > 0) {
    const fields = problem.errors
      .slice(0, 5)
      .map((field: { field?: unknown; message?: unknown }) => `${String(field.field)}: ${String(field.message)}`);
    parts.push(`(${fields.join("; ")})`);
  }
  return parts.join(": ") || JSON.stringify(body).slice(0, 500);
}

/**
 * Judges an agent's answer: 200 with a valid result for this subtask succeeds; connection failures,
 * 408, 429 and 5xx are transient (retried with backoff, honouring Retry-After); any other 4xx (400,
 * 409, 422…) is permanent — the same request would fail the same way — and so is a 200 whose body
 * is not a result for this subtask.
 */
export function judge(answer: DispatchAnswer, subtaskId: string, agentType: AgentType, where: string): Verdict {
  if (answer.kind === "aborted") throw new Error("an aborted dispatch has no verdict");
  if (answer.kind === "no_answer") {
    return {
      kind: "transient",
      error: clip(`cannot reach ${agentType} at ${where}: ${answer.error.message}`),
      retryAfterMs: undefined,
      agentUnavailable: answer.connectFailed,
    };
  }
  const { status, body } = answer;
  if (status === 200) {
    const parsed = ExecuteResult.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      return {
        kind: "permanent",
        error: clip(`${agentType} answered 200 with an invalid result: ${issues.join("; ")}`),
      };
    }
    if (parsed.data.subtask_id !== subtaskId || parsed.data.agent_type !== agentType) {
      return {
        kind: "permanent",
        error: `${agentType} answered with the result of ${parsed.data.agent_type} subtask ${parsed.data.subtask_id}`,
      };
    }
    return { kind: "succeeded", result: parsed.data };
  }
  const error = clip(`${agentType} answered ${status}: ${describeProblem(body)}`);
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: "transient",
      error,
      retryAfterMs: retryAfterMs(answer.retryAfter),
      agentUnavailable: status === 429 || status === 503,
    };
  }
  return { kind: "permanent", error };
}

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and a ceiling that doubles with
 * each failed attempt, so subtasks that failed together do not come back together. A Retry-After
 * replaces it. Capped either way.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfter !== undefined) return Math.min(policy.maxDelayMs, retryAfter);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** What to record for a verdict on dispatch number `attempt`: retry while attempts remain. */
export function outcomeOf(
  verdict: Verdict,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): SubtaskOutcome {
  switch (verdict.kind) {
    case "succeeded":
      return { kind: "succeeded", result: verdict.result };
    case "permanent":
      return { kind: "failed", error: verdict.error };
    case "transient":
      if (attempt >= policy.maxAttempts) {
        return { kind: "failed", error: clip(`gave up after ${attempt} attempts: ${verdict.error}`) };
      }
      return {
        kind: "retry",
        delayMs: retryDelayMs(attempt, verdict.retryAfterMs, policy, random),
        error: verdict.error,
      };
  }
}
