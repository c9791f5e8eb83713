import { z } from "zod";
import { FINAL_TASK_STATUSES } from "./task.ts";

/**
 * What happened to a task, one event per state change, in the order it happened:
 * - `task.running`: its first subtask was dispatched (again, after a retry);
 * - `task.retrying`: failed, skipped and cancelled subtasks were put back to pending (`data.subtasks`);
 * - `subtask.running`: dispatched to its agent (`data.attempt`, `data.generation`; `data.recovered` when
 *   the lease of a replica that stopped answering was taken over);
 * - `subtask.succeeded`: the agent's result is stored (`data.usage`, `data.replayed`);
 * - `subtask.retrying`: a transient failure; dispatched again after `data.retry_in_ms` (`data.error`);
 * - `subtask.failed`: a permanent failure, or the last attempt failed (`data.error`);
 * - `subtask.skipped`: a subtask it depends on failed (`data.reason`);
 * - `subtask.cancelled`: the task was cancelled (`data.reason`);
 * - `subtask.released`: its orchestrator stopped before the agent answered; pending again, at once;
 * - `task.succeeded` / `task.failed` / `task.partial` / `task.cancelled`: the task ended (`data.error`,
 *   `data.counts` by subtask status).
 */
export const TASK_EVENT_TYPES = [
  "task.running",
  "task.retrying",
  "task.succeeded",
  "task.failed",
  "task.partial",
  "task.cancelled",
  "subtask.running",
  "subtask.succeeded",
  "subtask.retrying",
  "subtask.failed",
  "subtask.skipped",
  "subtask.cancelled",
  "subtask.released",
] as const;
export const TaskEventType = z.enum(TASK_EVENT_TYPES).meta({ id: "TaskEventType" });
export type TaskEventType = z.infer<typeof TaskEventType>;

/** The events that end a task (until a retry starts it again): one per final task status. */
const FINAL_TASK_EVENT_TYPES: ReadonlySet<string> = new Set(FINAL_TASK_STATUSES.map((status) => `task.${status}`));

export const isFinalTaskEvent = (type: string): boolean => FINAL_TASK_EVENT_TYPES.has(type);

export const TaskEvent = z
  .object({
    id: z
      .number()
      .int()
      .positive()
      .meta({ description: "Increases with each event of a task; send it as Last-Event-ID to resume." }),
    task_id: z.uuid(),
    subtask_id: z.uuid().nullable(),
    type: TaskEventType,
    data: z.record(z.string(), z.unknown()),
    created_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "TaskEvent", description: "One state change of a task or of one of its subtasks." });
export type TaskEvent = z.infer<typeof TaskEvent>;

export const TaskEventsQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "Send only events after this id (as Last-Event-ID does; the header wins)." }),
});
export type TaskEventsQuery = z.infer<typeof TaskEventsQuery>;
