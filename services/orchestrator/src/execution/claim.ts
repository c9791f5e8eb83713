import type { Artifact, UpstreamResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { Query, Statement } from "@devtools/db/client";

/**
 * PostgreSQL is the queue: the subtask rows are the jobs, and a claim is one UPDATE over the rows
 * that are runnable now. Not pg-boss (or any job table): its queue state would be a second copy of
 * the subtask state, to keep in step with it in every transition, and readiness is not a property of
 * a job but of other rows — a subtask runs once every subtask in its `depends_on` has succeeded —
 * which a `NOT EXISTS` over this same table answers in the claim itself.
 *
 * A subtask is runnable when it is `pending` (past its `next_attempt_at`), or `running` under a lease
 * that expired (its owner died; not ours, not past its attempts), its task is neither finished nor
 * being cancelled, and its dependencies all succeeded (`waiting_on = 0` narrows the scan to the partial
 * index of such subtasks; the NOT EXISTS decides). `FOR UPDATE … SKIP LOCKED` on the subtask and
 * its task lets replicas claim side by side without waiting on each other; locking the task row also
 * orders this transaction's event ids after every other writer of the task's events (see
 * task-events.ts in @devtools/db). Claiming moves the subtask to `running` under our lease, counts
 * the attempt, moves a pending task to `running`, and writes the events — in one statement.
 */
const CLAIM = `
with quota as (
  select agent_type, n from jsonb_to_recordset($1::jsonb) as q(agent_type text, n integer)
),
picked as (
  select c.* from quota q cross join lateral (
    select s.id, s.status = 'running' as recovered, s.lease_owner as previous_owner
    from subtasks s
    join tasks t on t.id = s.task_id
    where s.agent_type = q.agent_type
      and s.status in ('pending', 'running') and s.waiting_on = 0
      and (
        (s.status = 'pending' and (s.next_attempt_at is null or s.next_attempt_at <= now()))
        or (s.status = 'running' and s.lease_expires_at < now() and s.attempts < $4
            and s.id not in (select value::uuid from jsonb_array_elements_text($5::jsonb)))
      )
      and t.finished_at is null and t.cancel_requested_at is null
      and not exists (select 1 from subtasks d where d.id = any(s.depends_on) and d.status <> 'succeeded')
    order by s.created_at, s.position
    limit q.n
    for update of s, t skip locked
  ) c
),
claimed as (
  update subtasks s
  set status = 'running', lease_owner = $2, lease_expires_at = now() + $3::double precision * interval '1 millisecond',
      attempts = s.attempts + 1, started_at = coalesce(s.started_at, now()), next_attempt_at = null,
      updated_at = now()
  from picked p
  where s.id = p.id
  returning s.id, s.task_id, s.agent_type, s.description, s.depends_on, s.generation, s.attempts, s.position,
            p.recovered, p.previous_owner
),
started as (
  update tasks t
  set status = 'running', started_at = coalesce(t.started_at, now()), updated_at = now()
  where t.id in (select task_id from claimed) and t.status = 'pending'
  returning t.id
),
events as (
  insert into task_events (task_id, subtask_id, type, data)
  select id, null, 'task.running', '{}'::jsonb from started
  union all
  select task_id, id, 'subtask.running',
         jsonb_build_object('agent_type', agent_type, 'attempt', attempts, 'generation', generation,
                            'recovered', recovered)
  from (select * from claimed order by task_id, position) ordered
)
select c.id, c.task_id, c.agent_type, c.description, c.generation, c.attempts, c.recovered, c.previous_owner,
       (select t.trace_context from tasks t where t.id = c.task_id) as trace_context,
       (select t.max_tokens is not null from tasks t where t.id = c.task_id) as budgeted,
       coalesce((
         select jsonb_agg(jsonb_build_object(
                  'subtask_id', d.id, 'agent_type', d.agent_type,
                  'summary', coalesce(d.result->>'summary', ''),
                  'artifacts', coalesce(d.result->'artifacts', '[]'::jsonb))
                order by d.position)
         from subtasks d where d.id = any(c.depends_on)
       ), '[]'::jsonb) as upstream,
       coalesce((
         select jsonb_agg(d.agent_type) from subtasks d where d.task_id = c.task_id and c.id = any(d.depends_on)
       ), '[]'::jsonb) as dependants
from claimed c`;

/** A subtask this process now runs under its lease, with what the agent needs. */
export interface ClaimedSubtask {
  id: string;
  taskId: string;
  agentType: AgentType;
  description: string;
  generation: number;
  /** This dispatch's number within the generation; with owner and generation it fences the outcome. */
  attempts: number;
  /** Taken over from an owner whose lease expired. */
  recovered: boolean;
  previousOwner: string | null;
  upstream: UpstreamResult[];
  /** The agent types of the subtasks that depend on this one: what its success may free. */
  dependants: AgentType[];
  /** The W3C trace context of the request that created the task, which the dispatch's span continues. */
  traceContext: string | null;
  /** Whether its task has a token budget (`max_tokens`), which a success must then be checked against. */
  budgeted: boolean;
}

interface ClaimRow {
  id: string;
  task_id: string;
  agent_type: AgentType;
  description: string;
  generation: number;
  attempts: number;
  recovered: boolean;
  previous_owner: string | null;
  upstream: { subtask_id: string; agent_type: AgentType; summary: string; artifacts: Artifact[] }[];
  dependants: AgentType[];
  trace_context: string | null;
  budgeted: boolean;
}

export interface ClaimRequest {
  owner: string;
  leaseMs: number;
  /** How many subtasks of each agent type to take at most; types left out are not claimed. */
  quotas: Partial<Record<AgentType, number>>;
  /** Expired leases of subtasks that already used this many attempts are left to the sweep. */
  maxAttempts: number;
  /** Subtasks this process is still dispatching: never taken over from ourselves, even if expired. */
  inFlight: readonly string[];
}

/** The claim as one statement, for a pipeline; undefined when no quota is left. */
export function claimStatement(request: ClaimRequest): Statement | undefined {
  const quotas = Object.entries(request.quotas)
    .filter(([, n]) => n !== undefined && n > 0)
    .map(([agent_type, n]) => ({ agent_type, n }));
  if (quotas.length === 0) return undefined;
  return [
    CLAIM,
    [JSON.stringify(quotas), request.owner, request.leaseMs, request.maxAttempts, JSON.stringify(request.inFlight)],
  ];
}

/** The claimed subtasks in the rows the claim statement answered. */
export function claimedFrom(rows: readonly object[]): ClaimedSubtask[] {
  return (rows as ClaimRow[]).map((row) => ({
    id: row.id,
    taskId: row.task_id,
    agentType: row.agent_type,
    description: row.description,
    generation: row.generation,
    attempts: row.attempts,
    recovered: row.recovered,
    previousOwner: row.previous_owner,
    upstream: row.upstream,
    dependants: row.dependants,
    traceContext: row.trace_context,
    budgeted: row.budgeted,
  }));
}

/** Claims runnable subtasks up to the quotas, oldest task first. */
export async function claimRunnableSubtasks(query: Query, request: ClaimRequest): Promise<ClaimedSubtask[]> {
  const statement = claimStatement(request);
  if (!statement) return [];
  return claimedFrom(await query<ClaimRow>(...statement));
}
