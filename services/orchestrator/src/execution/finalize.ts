import type { AgentType } from "@devtools/contracts/agent-type";
import type { TaskStatus } from "@devtools/contracts/task";
import type { Query } from "@devtools/db/client";

/**
 * Every transition of a task or its subtasks (claims aside, which skip what is locked) starts by
 * locking the task's row: the task's state is then stable while it is read and changed, and the
 * event ids it takes come after those of every transaction that held the lock before.
 */
export const LOCK_TASK = `
select status, finished_at is not null as finished, cancel_requested_at is not null as cancel_requested,
       max_tokens is not null as budgeted
from tasks where id = $1 for update`;

export interface LockedTask {
  status: TaskStatus;
  finished: boolean;
  cancelRequested: boolean;
  /** Has a token budget: only then is it worth checking (see `enforceTokenBudget`). */
  budgeted: boolean;
}

/** Locks the task's row until the transaction ends; undefined when there is no such task. */
export async function lockTask(query: Query, taskId: string): Promise<LockedTask | undefined> {
  const [row] = await query<{ status: TaskStatus; finished: boolean; cancel_requested: boolean; budgeted: boolean }>(
    LOCK_TASK,
    [taskId],
  );
  return (
    row && {
      status: row.status,
      finished: row.finished,
      cancelRequested: row.cancel_requested,
      budgeted: row.budgeted,
    }
  );
}

/**
 * Skips every subtask that waits, directly or not, on the failed subtask `$2` of task `$1`, with the
 * reason `$3`; answers the agent types skipped. Only while `$2` is `failed`: a statement sent without
 * knowing whether the failure was recorded (see settle.ts) changes nothing when it was not.
 */
export const SKIP_DEPENDANTS = `
with recursive dependants(id) as (
  select s.id from subtasks s
  where s.task_id = $1 and $2::uuid = any(s.depends_on)
    and exists (select 1 from subtasks f where f.id = $2 and f.status = 'failed')
  union
  select s.id from subtasks s join dependants d on d.id = any(s.depends_on) where s.task_id = $1
),
skipped as (
  update subtasks s
  set status = 'skipped', error = $3, finished_at = now(), next_attempt_at = null, updated_at = now()
  from dependants d
  where s.id = d.id and s.status = 'pending'
  returning s.id, s.task_id, s.agent_type, s.position
)
insert into task_events (task_id, subtask_id, type, data)
select task_id, id, 'subtask.skipped', jsonb_build_object('agent_type', agent_type, 'reason', $3::text)
from (select * from skipped order by position) ordered
returning data->>'agent_type' as agent_type`;

// A task whose subtasks used up its token budget starts no more: its pending subtasks are skipped
// and the reason kept on the task (only a budget writes tasks.error while a task runs), which its end reports.
export const ENFORCE_TOKEN_BUDGET = `
with budget as (
  select t.max_tokens, coalesce(sum(s.prompt_tokens + s.completion_tokens), 0)::bigint as used
  from tasks t left join subtasks s on s.task_id = t.id
  where t.id = $1 and t.max_tokens is not null and t.finished_at is null
  group by t.max_tokens
  having coalesce(sum(s.prompt_tokens + s.completion_tokens), 0) >= t.max_tokens
),
reason as (select format('token budget of %s exhausted (%s used)', max_tokens, used) as text from budget),
skipped as (
  update subtasks s
  set status = 'skipped', error = r.text, finished_at = now(), next_attempt_at = null, updated_at = now()
  from reason r
  where s.task_id = $1 and s.status = 'pending'
  returning s.id, s.task_id, s.agent_type, s.position, r.text as reason
),
noted as (
  update tasks t set error = r.text, updated_at = now()
  from reason r
  where t.id = $1 and exists (select 1 from skipped)
)
insert into task_events (task_id, subtask_id, type, data)
select task_id, id, 'subtask.skipped', jsonb_build_object('agent_type', agent_type, 'reason', reason)
from (select * from skipped order by position) ordered
returning data->>'agent_type' as agent_type`;

/**
 * When the task's subtasks have used its `max_tokens` or more, skips its pending subtasks (running
 * ones finish) with the reason "token budget of N exhausted (M used)"; answers the agent types skipped.
 * Call it holding the task's lock, before `finishTaskIfDone`.
 */
export async function enforceTokenBudget(query: Query, taskId: string): Promise<AgentType[]> {
  const rows = await query<{ agent_type: AgentType }>(ENFORCE_TOKEN_BUDGET, [taskId]);
  return rows.map((row) => row.agent_type);
}

/**
 * A CTE that queues the task-ended callback of each task `finished` returns (id, status, error,
 * finished_at, callback_url) that has one: written in the transaction that ends the task, so no
 * crash loses it; delivered by the engine (see execution/callbacks.ts). The body is fixed now.
 */
export const QUEUE_CALLBACK = `
callback as (
  insert into callback_deliveries (task_id, url, payload)
  select f.id, f.callback_url,
         jsonb_build_object(
           'task_id', f.id, 'status', f.status, 'error', f.error,
           'finished_at', to_char(f.finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'usage', (select jsonb_build_object(
                              'prompt_tokens', coalesce(sum(prompt_tokens), 0),
                              'completion_tokens', coalesce(sum(completion_tokens), 0),
                              'total_tokens', coalesce(sum(prompt_tokens + completion_tokens), 0))
                     from subtasks where task_id = f.id))
  from finished f
  where f.callback_url is not null
)`;

export const FINISH_IF_DONE = `
with counts as (
  select count(*) filter (where status in ('pending', 'running'))::int as active,
         count(*) filter (where status = 'succeeded')::int as succeeded,
         count(*) filter (where status = 'failed')::int as failed,
         count(*) filter (where status = 'skipped')::int as skipped,
         count(*) filter (where status = 'cancelled')::int as cancelled,
         count(*)::int as total
  from subtasks where task_id = $1
),
first_failure as (
  select agent_type, error from subtasks
  where task_id = $1 and status = 'failed'
  order by finished_at, position
  limit 1
),
verdict as (
  select c.*,
         case when t.cancel_requested_at is not null then 'cancelled'
              when c.succeeded = c.total then 'succeeded'
              when c.succeeded = 0 then 'failed'
              else 'partial' end as status,
         format('%s of %s subtasks failed%s; %s', c.failed, c.total,
                case when c.skipped > 0 then format(', %s skipped', c.skipped) else '' end,
                coalesce((select format('%s: %s', agent_type, error) from first_failure), 'no error recorded'))
           as failures
  from counts c, tasks t
  where t.id = $1 and t.finished_at is null and c.active = 0
),
finished as (
  update tasks t
  set status = v.status, finished_at = now(), updated_at = now(),
      error = case v.status
        when 'succeeded' then null
        when 'cancelled' then coalesce(t.error, 'cancelled')
        -- A budget's reason (see ENFORCE_TOKEN_BUDGET) comes first, then any failures.
        else case when t.error is null then v.failures
                  when v.failed = 0 then t.error
                  else format('%s; %s', t.error, v.failures) end
      end
  from verdict v
  where t.id = $1
  returning t.id, t.status, t.error, t.finished_at, t.callback_url, v.succeeded, v.failed, v.skipped, v.cancelled,
            v.total
),${QUEUE_CALLBACK}
insert into task_events (task_id, subtask_id, type, data)
select id, null, 'task.' || status,
       jsonb_build_object('error', error, 'counts', jsonb_build_object(
         'succeeded', succeeded, 'failed', failed, 'skipped', skipped, 'cancelled', cancelled, 'total', total))
from finished
returning substr(type, 6) as status`;

/**
 * Ends the task when none of its subtasks is pending or running: `succeeded` when all succeeded,
 * `failed` when none did, `partial` when some did, `cancelled` when a cancel was asked. Answers the
 * final status, or undefined when the task goes on (or had already ended).
 */
export async function finishTaskIfDone(query: Query, taskId: string): Promise<TaskStatus | undefined> {
  const [row] = await query<{ status: TaskStatus }>(FINISH_IF_DONE, [taskId]);
  return row?.status;
}
