import type { ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { TaskStatus } from "@devtools/contracts/task";
import type { Database, Statement } from "@devtools/db/client";
import { type ClaimedSubtask, type ClaimRequest, claimedFrom, claimStatement } from "./claim.ts";
import { ENFORCE_TOKEN_BUDGET, FINISH_IF_DONE, LOCK_TASK, SKIP_DEPENDANTS } from "./finalize.ts";

/** Which dispatch of a subtask an outcome belongs to: the lease a claim took. */
export interface Lease {
  subtaskId: string;
  taskId: string;
  agentType: AgentType;
  owner: string;
  generation: number;
  attempts: number;
  /** False when the task is known to have no token budget: a success then skips the budget check. */
  budgeted?: boolean;
}

/** How one dispatch ended, as it is to be recorded. */
export type SubtaskOutcome =
  | { kind: "succeeded"; result: ExecuteResult }
  /** Transient: pending again, dispatched after `delayMs`. */
  | { kind: "retry"; delayMs: number; error: string }
  | { kind: "failed"; error: string }
  /** Our process stops (or its predecessor stopped) before the agent answered: pending again at once, the attempt not counted. */
  | { kind: "released"; reason: string };

export interface Settled {
  /** False when the lease was no longer ours (cancelled, taken over, retried): nothing was written. */
  recorded: boolean;
  /** The agent types of the subtasks this outcome skipped: a failure's dependants, or all pending once a budget is spent. */
  skipped: AgentType[];
  /** The task's final status when this outcome ended it. */
  taskStatus: TaskStatus | undefined;
  /** What the hand-off claim took (see `settleSubtask`), whether or not the outcome was recorded. */
  claimed: ClaimedSubtask[];
}

export interface SettleOptions {
  /** Records only if the lease has also expired (the sweep's case). */
  requireExpired?: boolean;
  /**
   * A claim to run in the same transaction, after the outcome: a success frees its dependants, and
   * claiming them here dispatches them one round trip sooner than a claim after it would.
   */
  claim?: ClaimRequest | undefined;
}

// Completion is fenced: only the dispatch that holds the lease can record its outcome, so a replica
// that lost its lease (it stalled, and another took over) cannot overwrite anything.
const FENCE = `id = $1 and lease_owner = $2 and generation = $3 and attempts = $4 and status = 'running'`;
// The sweep that gives up on subtasks whose owners kept dying must not touch a lease renewed meanwhile.
const EXPIRED_FENCE = `${FENCE} and lease_expires_at < now()`;
const CLEAR_LEASE = `lease_owner = null, lease_expires_at = null, updated_at = now()`;

const record = (change: string, fence: string, type: string, data: string, also = "") => `
with done as (update subtasks set ${change}, ${CLEAR_LEASE} where ${fence} returning *)${also}
insert into task_events (task_id, subtask_id, type, data)
select task_id, id, '${type}', ${data} from done
returning id`;

// A success is one dependency less for each subtask that waits on it.
const FREE_DEPENDANTS = `,
freed as (
  update subtasks s set waiting_on = greatest(s.waiting_on - 1, 0)
  from done
  where s.task_id = done.task_id and done.id = any(s.depends_on)
)`;

const STATEMENTS = {
  succeeded: (fence: string) =>
    record(
      `status = 'succeeded', result = $5::jsonb, error = null, prompt_tokens = $6, completion_tokens = $7,
       finished_at = now(), next_attempt_at = null`,
      fence,
      "subtask.succeeded",
      "$8::jsonb",
      FREE_DEPENDANTS,
    ),
  retry: (fence: string) =>
    record(
      `status = 'pending', error = $5, next_attempt_at = now() + $6::double precision * interval '1 millisecond'`,
      fence,
      "subtask.retrying",
      "$7::jsonb || jsonb_build_object('next_attempt_at', next_attempt_at)",
    ),
  failed: (fence: string) =>
    record(
      `status = 'failed', error = $5, finished_at = now(), next_attempt_at = null`,
      fence,
      "subtask.failed",
      "$6::jsonb",
    ),
  released: (fence: string) =>
    record(
      `status = 'pending', attempts = attempts - 1, next_attempt_at = null`,
      fence,
      "subtask.released",
      "$5::jsonb",
    ),
};

function statementFor(lease: Lease, outcome: SubtaskOutcome, fence: string): Statement {
  const key = [lease.subtaskId, lease.owner, lease.generation, lease.attempts];
  const base = { agent_type: lease.agentType, attempt: lease.attempts, generation: lease.generation };
  switch (outcome.kind) {
    case "succeeded": {
      const { usage, replayed } = outcome.result;
      return [
        STATEMENTS.succeeded(fence),
        [
          ...key,
          JSON.stringify(outcome.result),
          usage.prompt_tokens,
          usage.completion_tokens,
          JSON.stringify({ ...base, usage, replayed }),
        ],
      ];
    }
    case "retry":
      return [
        STATEMENTS.retry(fence),
        [
          ...key,
          outcome.error,
          outcome.delayMs,
          JSON.stringify({ ...base, error: outcome.error, retry_in_ms: outcome.delayMs }),
        ],
      ];
    case "failed":
      return [STATEMENTS.failed(fence), [...key, outcome.error, JSON.stringify({ ...base, error: outcome.error })]];
    case "released":
      return [STATEMENTS.released(fence), [...key, JSON.stringify({ ...base, reason: outcome.reason })]];
  }
}

/**
 * Records how a dispatch ended, with its events, in one transaction: the subtask's new state (only
 * if `lease` still holds it), the dependants a failure skips, the pending subtasks a spent token
 * budget skips, the task's end when this was its last open subtask, and the hand-off claim when
 * one is given.
 *
 * The statements go to the database as one pipeline (one round trip: this is on every plan's
 * critical path), so none waits for another's answer: each after the first is written so that it
 * changes nothing when the outcome was not recorded, or had nothing to change.
 */
export async function settleSubtask(
  database: Database,
  lease: Lease,
  outcome: SubtaskOutcome,
  { requireExpired = false, claim }: SettleOptions = {},
): Promise<Settled> {
  const { taskId, subtaskId, agentType } = lease;
  const statements: Statement[] = [
    [LOCK_TASK, [taskId]],
    statementFor(lease, outcome, requireExpired ? EXPIRED_FENCE : FENCE),
  ];
  // What a failure's dependants, or a spent budget, skip: one statement at most.
  let skipping = false;
  if (outcome.kind === "failed") {
    const reason = `depends on the ${agentType} subtask ${subtaskId}, which failed`;
    statements.push([SKIP_DEPENDANTS, [taskId, subtaskId, reason]]);
    skipping = true;
  } else if (outcome.kind === "succeeded" && lease.budgeted !== false) {
    statements.push([ENFORCE_TOKEN_BUDGET, [taskId]]);
    skipping = true;
  }
  const ends = outcome.kind === "succeeded" || outcome.kind === "failed";
  if (ends) statements.push([FINISH_IF_DONE, [taskId]]);
  const claiming = claim && claimStatement(claim);
  if (claiming) statements.push(claiming);
  const [, written, ...rest] = await database.pipeline(statements);
  const claimed = claiming ? claimedFrom(rest.pop() ?? []) : [];
  if (!written?.length) return { recorded: false, skipped: [], taskStatus: undefined, claimed };
  const skipped = skipping ? (rest.shift() ?? []) : [];
  const finished = ends ? rest.shift()?.[0] : undefined;
  return {
    recorded: true,
    skipped: skipped.map((row) => row.agent_type as AgentType),
    taskStatus: finished?.status as TaskStatus | undefined,
    claimed,
  };
}
