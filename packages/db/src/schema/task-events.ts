import { TASK_EVENT_TYPES } from "@devtools/contracts/task-events";
import { bigserial, check, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, oneOf } from "./columns.ts";
import { tasks } from "./tasks.ts";

/**
 * Every state change of a task and its subtasks, written in the same transaction as the change.
 * Ids increase in commit order within a task: every writer holds the task's row lock when it
 * inserts, so a reader resuming after an id never misses an event committed later.
 */
export const taskEvents = pgTable(
  "task_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    subtaskId: uuid("subtask_id"),
    type: text("type", { enum: TASK_EVENT_TYPES }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("task_events_task_idx").on(table.taskId, table.id),
    check("task_events_type_check", oneOf(table.type, TASK_EVENT_TYPES)),
  ],
);

export type TaskEventRow = typeof taskEvents.$inferSelect;
