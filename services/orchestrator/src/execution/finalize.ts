import type { AgentType } from "@devtools/contracts/agent-type";
import type { TaskStatus } from "@devtools/contracts/task";
import type { Query } from "@devtools/db/client";

/**
 * Every transition of a task or its subtasks (claims aside, which skip what is locked) starts by
 * locking the task's row: the task's state is then stable while it is read and changed, and the
 * event ids it takes come after those of every transaction that held the lock before.
 */
const LOCK_TASK = `
select status, finished_at is not null as finished, cancel_requested_at is not null as cancel_requested
from tasks where id = $1 for update`;

export interface LockedTask {
  status: TaskStatus;
  finished: boolean;
  cancelRequested: boolean;
}

/** Locks the task's row until the transaction ends; undefined when there is no such task. */
export async function lockTask(query: Query, taskId: string): Promise<LockedTask | undefined> {
  const [row] = await query<{ status: TaskStatus; finished: boolean; cancel_requested: boolean }>(LOCK_TASK, [taskId]);
  return row && { status: row.status, finished: row.finished, cancelRequested: row.cancel_requested };
}

// Dependants of the failed subtask, transitively, that are still waiting.
const SKIP_DEPENDANTS = `
with recursive dependants(id) as (
  select s.id from subtasks s where s.task_id = $1 and $2::uuid = any(s.depends_on)
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

/** Skips every subtask that waits, directly or not, on `failedId`; answers the agent types skipped. */
export async function skipDependants(
  query: Query,
  taskId: string,
  failedId: string,
  reason: string,
): Promise<AgentType[]> {
  const rows = await query<{ agent_type: AgentType }>(SKIP_DEPENDANTS, [taskId, failedId, reason]);
  return rows.map((row) => row.agent_type);
}

const FINISH_IF_DONE = `
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
              else 'partial' end as status
  from counts c, tasks t
  where t.id = $1 and t.finished_at is null and c.active = 0
),
finished as (
  update tasks t
  set status = v.status, finished_at = now(), updated_at = now(),
      error = case v.status
        when 'succeeded' then null
        when 'cancelled' then coalesce(t.error, 'cancelled')
        else format('%s of %s subtasks failed%s; %s', v.failed, v.total,
                    case when v.skipped > 0 then format(', %s skipped', v.skipped) else '' end,
                    coalesce((select format('%s: %s', agent_type, error) from first_failure), 'no error recorded'))
      end
  from verdict v
  where t.id = $1
  returning t.id, t.status, t.error, v.succeeded, v.failed, v.skipped, v.cancelled, v.total
)
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
