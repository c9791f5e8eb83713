import type { AgentType } from "@devtools/contracts/agent-type";
import type { Database } from "@devtools/db/client";
import { enforceTokenBudget, finishTaskIfDone, lockTask, QUEUE_CALLBACK } from "./finalize.ts";

const CANCEL_SUBTASKS = `
with open as (
  select id, status from subtasks where task_id = $1 and status in ('pending', 'running') for update
),
cancelled as (
  update subtasks s
  set status = 'cancelled', error = $2, finished_at = now(), next_attempt_at = null,
      lease_owner = null, lease_expires_at = null, updated_at = now()
  from open o
  where s.id = o.id
  returning s.id, s.task_id, s.agent_type, s.position, o.status as was
)
insert into task_events (task_id, subtask_id, type, data)
select task_id, id, 'subtask.cancelled', jsonb_build_object('agent_type', agent_type, 'reason', $2::text, 'was', was)
from (select * from cancelled order by position) ordered
returning subtask_id, data->>'agent_type' as agent_type, data->>'was' as was`;

const CANCEL_TASK = `
with counts as (
  select count(*) filter (where status = 'succeeded')::int as succeeded,
         count(*) filter (where status = 'failed')::int as failed,
         count(*) filter (where status = 'skipped')::int as skipped,
         count(*) filter (where status = 'cancelled')::int as cancelled,
         count(*)::int as total
  from subtasks where task_id = $1
),
finished as (
  update tasks
  set status = 'cancelled', error = $2, cancel_requested_at = now(), finished_at = now(), updated_at = now()
  where id = $1
  returning id, status, error, finished_at, callback_url
),${QUEUE_CALLBACK}
insert into task_events (task_id, subtask_id, type, data)
select e.id, null, 'task.cancelled', jsonb_build_object('error', $2::text, 'counts', to_jsonb(c))
from finished e, counts c`;

export interface CancelledSubtask {
  id: string;
  agentType: AgentType;
  /** Whether an agent was working on it: its dispatch is to be aborted. */
  wasRunning: boolean;
}

export type CancelOutcome =
  | { kind: "cancelled"; subtasks: CancelledSubtask[] }
  | { kind: "not_found" }
  | { kind: "finished" };

/**
 * Cancels a task in one transaction: its pending and running subtasks become `cancelled`, the task
 * ends `cancelled`. The dispatches still running learn it and abort their agent calls: at once on
 * this replica (the caller tells the engine), at their next ownership check on the others.
 */
export function cancelTask(database: Database, taskId: string, reason = "cancelled by request") {
  return database.transaction(async (query): Promise<CancelOutcome> => {
    const task = await lockTask(query, taskId);
    if (!task) return { kind: "not_found" };
    if (task.finished) return { kind: "finished" };
    const rows = await query<{ subtask_id: string; agent_type: AgentType; was: string }>(CANCEL_SUBTASKS, [
      taskId,
      reason,
    ]);
    await query(CANCEL_TASK, [taskId, reason]);
    return {
      kind: "cancelled",
      subtasks: rows.map((row) => ({
        id: row.subtask_id,
        agentType: row.agent_type,
        wasRunning: row.was === "running",
      })),
    };
  });
}

const RETRY_SUBTASKS = `
with retried as (
  update subtasks
  set status = 'pending', generation = generation + 1, attempts = 0, result = null, error = null,
      prompt_tokens = null, completion_tokens = null, started_at = null, finished_at = null,
      next_attempt_at = null, lease_owner = null, lease_expires_at = null, updated_at = now()
  where task_id = $1 and status in ('failed', 'skipped', 'cancelled')
  returning id, position
)
select id from retried order by position`;

// Retried subtasks wait again on whatever of theirs has not succeeded (the others' counts are unchanged).
const COUNT_WAITING = `
update subtasks s
set waiting_on = (select count(*) from subtasks d where d.id = any(s.depends_on) and d.status <> 'succeeded')
where s.task_id = $1 and s.status = 'pending'`;

const RESTART_TASK = `
with restarted as (
  update tasks
  set status = 'running', error = null, finished_at = null, cancel_requested_at = null, updated_at = now()
  where id = $1
  returning id
)
insert into task_events (task_id, subtask_id, type, data)
select id, null, 'task.retrying', jsonb_build_object('subtasks', $2::jsonb) from restarted`;

export type RetryOutcome = { kind: "retried"; subtaskIds: string[] } | { kind: "not_found" } | { kind: "nothing" };

/**
 * Puts the task's failed, skipped and cancelled subtasks back to `pending` in a new generation (a
 * new idempotency key: the agents run them afresh), attempts from zero; the task runs again.
 * Subtasks that succeeded keep their results and are not sent again.
 */
export function retryTask(database: Database, taskId: string) {
  return database.transaction(async (query): Promise<RetryOutcome> => {
    const task = await lockTask(query, taskId);
    if (!task) return { kind: "not_found" };
    const rows = await query<{ id: string }>(RETRY_SUBTASKS, [taskId]);
    if (rows.length === 0) return { kind: "nothing" };
    const subtaskIds = rows.map((row) => row.id);
    await query(COUNT_WAITING, [taskId]);
    await query(RESTART_TASK, [taskId, JSON.stringify(subtaskIds)]);
    // A budget already spent stays spent: what was retried is skipped again and the task ends at once.
    if (task.budgeted && (await enforceTokenBudget(query, taskId)).length > 0) await finishTaskIfDone(query, taskId);
    return { kind: "retried", subtaskIds };
  });
}
