import type { AgentType } from "@devtools/contracts/agent-type";
import type { Query } from "@devtools/db/client";
import type { Lease } from "./settle.ts";

const held = (leases: readonly Lease[]) =>
  JSON.stringify(leases.map(({ subtaskId, generation, attempts }) => ({ id: subtaskId, generation, attempts })));

// SKIP LOCKED: a row locked right now is being settled or cancelled; its lease has two more renewals
// of margin, and the ownership check below says whether it is still ours.
const RENEW = `
update subtasks s
set lease_expires_at = now() + $3::double precision * interval '1 millisecond'
where s.id in (
  select s2.id
  from subtasks s2
  join jsonb_to_recordset($1::jsonb) as l(id uuid, generation integer, attempts integer) on l.id = s2.id
  where s2.lease_owner = $2 and s2.generation = l.generation and s2.attempts = l.attempts and s2.status = 'running'
  for update of s2 skip locked
)
returning s.id`;

/** Extends the leases still ours; answers the ids renewed. */
export async function renewLeases(query: Query, owner: string, leases: readonly Lease[], leaseMs: number) {
  if (leases.length === 0) return new Set<string>();
  const rows = await query<{ id: string }>(RENEW, [held(leases), owner, leaseMs]);
  return new Set(rows.map((row) => row.id));
}

const LOST = `
select l.id
from jsonb_to_recordset($1::jsonb) as l(id uuid, generation integer, attempts integer)
left join subtasks s on s.id = l.id
where s.id is null
   or not (s.status = 'running' and s.lease_owner = $2 and s.generation = l.generation and s.attempts = l.attempts)`;

/**
 * The leases that are no longer ours: the subtask was cancelled, retried, or taken over by a replica
 * that found our lease expired. Their dispatches should stop; nothing they learn can be recorded.
 */
export async function lostLeases(query: Query, owner: string, leases: readonly Lease[]): Promise<Set<string>> {
  if (leases.length === 0) return new Set();
  const rows = await query<{ id: string }>(LOST, [held(leases), owner]);
  return new Set(rows.map((row) => row.id));
}

interface LeaseRow {
  id: string;
  task_id: string;
  agent_type: AgentType;
  lease_owner: string;
  generation: number;
  attempts: number;
}

const toLease = (row: LeaseRow): Lease => ({
  subtaskId: row.id,
  taskId: row.task_id,
  agentType: row.agent_type,
  owner: row.lease_owner,
  generation: row.generation,
  attempts: row.attempts,
});

const PREDECESSORS = `
select id, task_id, agent_type, lease_owner, generation, attempts
from subtasks
where status = 'running' and left(lease_owner, length($1)) = $1 and lease_owner <> $2`;

/**
 * Leases held by earlier processes of this instance (same host and port: they cannot be alive while
 * we listen there). A restart releases them at once instead of waiting for them to expire.
 */
export async function predecessorLeases(query: Query, instance: string, owner: string): Promise<Lease[]> {
  return (await query<LeaseRow>(PREDECESSORS, [instance, owner])).map(toLease);
}

const EXHAUSTED = `
select id, task_id, agent_type, lease_owner, generation, attempts
from subtasks
where status = 'running' and lease_expires_at < now() and attempts >= $1
order by lease_expires_at
limit $2`;

/** Expired leases of subtasks that used all their attempts: their owners kept dying while they ran. */
export async function exhaustedLeases(query: Query, maxAttempts: number, limit = 20): Promise<Lease[]> {
  return (await query<LeaseRow>(EXHAUSTED, [maxAttempts, limit])).map(toLease);
}
