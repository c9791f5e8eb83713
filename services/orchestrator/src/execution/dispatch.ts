import type { ExecuteRequest } from "@devtools/contracts/agent";
import type { Logger } from "@devtools/service-kit/logger";
import type { AgentAvailability } from "./agent-availability.ts";
import type { ClaimedSubtask, ClaimRequest } from "./claim.ts";
import type { AgentDispatcher, DispatchAnswer } from "./dispatcher/agent-client.ts";
import { judge, outcomeOf, type RetryPolicy, type Verdict } from "./failure-policy.ts";
import type { DispatchOutcome, ExecutionMetrics } from "./metrics.ts";
import type { OutcomeRecorder } from "./recorder.ts";
import type { Lease, Settled } from "./settle.ts";

/** One subtask this process is sending to its agent. */
export interface Dispatch {
  lease: Lease;
  claim: ClaimedSubtask;
  /** Aborted with one of the reasons below. */
  controller: AbortController;
  /** Settles once the outcome is recorded (or given up on). */
  done: Promise<void>;
}

// Why a dispatch was aborted; compared by identity.
export const LOST = new Error("the lease is no longer ours (cancelled, retried or taken over)");
export const CANCELLED = new Error("the task was cancelled");
export const SHUTDOWN = new Error("the orchestrator is shutting down");

export interface DispatchContext {
  dispatcher: AgentDispatcher;
  availability: AgentAvailability;
  recorder: OutcomeRecorder;
  metrics: ExecutionMetrics;
  logger: Logger;
  retry: RetryPolicy;
  subtaskTimeoutMs: number;
  now: () => number;
  random: () => number;
  /** Asks the engine to claim again at this moment (a retry falls due, an agent's pause ends). */
  wakeAt: (at: number) => void;
  /** The claim to run with a success's outcome, if the engine has room; see `HandOff`. */
  handOff: (lease: Lease) => HandOff | undefined;
}

/**
 * A claim that rides in the transaction recording a success, so that the dependants it frees are
 * dispatched one round trip sooner. `done` must be called once with what it claimed (nothing, when
 * the transaction failed): the engine dispatches those and frees the capacity it held for the claim.
 */
export interface HandOff {
  request: ClaimRequest;
  done: (claimed: ClaimedSubtask[]) => void;
}

/** The request for a claimed subtask. */
export function executeRequestOf(claim: ClaimedSubtask): ExecuteRequest {
  return {
    subtask_id: claim.id,
    task_id: claim.taskId,
    description: claim.description,
    upstream: claim.upstream,
    // The same key on every attempt of a generation, from any replica: the agent replays a result
    // it already computed instead of calling the model again.
    idempotency_key: `${claim.id}:${claim.generation}`,
  };
}

/**
 * Sends one subtask to its agent and records what the answer means: succeeded, retry later (with
 * backoff), failed — or nothing, when the dispatch was aborted because the subtask is no longer
 * ours; released back to pending when we are shutting down.
 */
export async function runDispatch({ claim, lease, controller }: Dispatch, context: DispatchContext): Promise<void> {
  const { agentType } = claim;
  const { dispatcher, metrics, logger, recorder } = context;
  const startedAt = context.now();
  metrics.dispatched(agentType);
  // A timer cleared once the agent answers: AbortSignal.timeout would keep its timer, and the
  // signals combined with it, alive for the whole subtask timeout (minutes) after every dispatch.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), context.subtaskTimeoutMs);
  let answer: DispatchAnswer;
  try {
    answer = await dispatcher.execute(
      agentType,
      executeRequestOf(claim),
      AbortSignal.any([controller.signal, deadline.signal]),
    );
  } finally {
    clearTimeout(timer);
  }
  const seconds = (context.now() - startedAt) / 1000;

  if (answer.kind === "aborted" && controller.signal.aborted) {
    if (controller.signal.reason === SHUTDOWN) {
      metrics.answered(agentType, "released", seconds);
      await recorder.record(lease, { kind: "released", reason: "the orchestrator stopped before the agent answered" });
    } else {
      // Cancelled or no longer ours: whoever holds it now records what happens to it.
      metrics.answered(agentType, "aborted", seconds);
      logger.info({ subtask_id: claim.id, reason: (controller.signal.reason as Error).message }, "dispatch aborted");
    }
    return;
  }
  const verdict: Verdict =
    answer.kind === "aborted"
      ? {
          kind: "transient",
          error: `${agentType} did not answer within ${context.subtaskTimeoutMs} ms`,
          retryAfterMs: undefined,
          agentUnavailable: false,
        }
      : judge(answer, claim.id, agentType, dispatcher.describe(agentType));
  if (verdict.kind === "transient" && verdict.agentUnavailable) {
    context.availability.unavailable(agentType, verdict.retryAfterMs);
    const resumeAt = context.availability.nextResumeAt();
    if (resumeAt !== undefined) context.wakeAt(resumeAt);
  } else {
    context.availability.reachable(agentType);
  }
  const outcome = outcomeOf(verdict, claim.attempts, context.retry, context.random);
  metrics.answered(agentType, outcome.kind as DispatchOutcome, seconds);
  const handOff = outcome.kind === "succeeded" ? context.handOff(lease) : undefined;
  let settled: Settled | undefined;
  try {
    settled = await recorder.record(lease, outcome, { claim: handOff?.request });
  } finally {
    handOff?.done(settled?.claimed ?? []);
  }
  if (!settled?.recorded) return;
  const fields = { subtask_id: claim.id, task_id: claim.taskId, agent: agentType, attempt: claim.attempts };
  if (outcome.kind === "retry") {
    metrics.retried(
      agentType,
      answer.kind === "aborted" ? "timeout" : answer.kind === "no_answer" ? "unreachable" : "status",
    );
    context.wakeAt(context.now() + outcome.delayMs);
    logger.warn({ ...fields, error: outcome.error }, `dispatch failed; retrying in ${outcome.delayMs} ms`);
    return;
  }
  logger.info(
    {
      ...fields,
      outcome: outcome.kind,
      duration_ms: Math.round(seconds * 1000),
      ...(outcome.kind === "failed" ? { error: outcome.error } : {}),
      ...(settled.taskStatus ? { task_status: settled.taskStatus } : {}),
    },
    "subtask finished",
  );
}
