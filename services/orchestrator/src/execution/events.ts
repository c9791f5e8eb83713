import type { TaskEvent, TaskEventType } from "@devtools/contracts/task-events";
import type { Query } from "@devtools/db/client";

/**
 * Wakes this replica's event streams when a task's events were committed here. Streams of other
 * replicas' writes are found by polling the table; this only makes local delivery immediate.
 */
export class TaskEventNotifier {
  readonly #listeners = new Map<string, Set<(ended: boolean) => void>>();

  /**
   * Calls `listener` after each commit of events of `taskId`, with whether that commit may have
   * ended the task; returns the unsubscribe.
   */
  subscribe(taskId: string, listener: (ended: boolean) => void): () => void {
    let listeners = this.#listeners.get(taskId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(taskId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(taskId);
    };
  }

  /** Says that events of these tasks were committed; `ended` when the commit may have ended them. */
  notify(taskIds: Iterable<string>, { ended = false }: { ended?: boolean } = {}): void {
    for (const taskId of new Set(taskIds)) {
      for (const listener of this.#listeners.get(taskId) ?? []) listener(ended);
    }
  }
}

interface EventRow {
  id: string;
  task_id: string;
  subtask_id: string | null;
  type: TaskEventType;
  data: Record<string, unknown>;
  created_at: string;
}

// Ids and times as text: the two drivers read bigint and timestamptz differently.
const READ_EVENTS = `
select id::text as id, task_id, subtask_id, type, data,
       to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
from task_events
where task_id = $1 and id > $2
order by id
limit $3`;

/** Events of a task after event `afterId`, oldest first, at most `limit`. */
export async function readTaskEvents(query: Query, taskId: string, afterId: number, limit: number) {
  const rows = await query<EventRow>(READ_EVENTS, [taskId, afterId, limit]);
  return rows.map((row): TaskEvent => ({ ...row, id: Number(row.id) }));
}

/** What a stream needs to know to end: whether the task is finished, and its latest event. */
export interface TaskEventState {
  finished: boolean;
  lastEventId: number;
  lastEventType: TaskEventType | null;
}

// One snapshot for both: a task's final event commits with its finished_at.
const EVENT_STATE = `
select t.finished_at is not null as finished, e.id::text as last_id, e.type as last_type
from tasks t
left join lateral (select id, type from task_events where task_id = t.id order by id desc limit 1) e on true
where t.id = $1`;

/** Undefined when there is no such task. */
export async function readTaskEventState(query: Query, taskId: string): Promise<TaskEventState | undefined> {
  const [row] = await query<{ finished: boolean; last_id: string | null; last_type: TaskEventType | null }>(
    EVENT_STATE,
    [taskId],
  );
  if (!row) return undefined;
  return { finished: row.finished, lastEventId: Number(row.last_id ?? 0), lastEventType: row.last_type };
}
