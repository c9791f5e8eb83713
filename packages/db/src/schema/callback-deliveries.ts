import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, moment } from "./columns.ts";
import { tasks } from "./tasks.ts";

/**
 * The outbox of task-ended callbacks: a row is written in the transaction that ends the task (so a
 * crash cannot lose it) and delivered by whichever replica claims it first (`for update skip locked`;
 * a claim pushes `next_attempt_at` past the delivery timeout, which is its lease).
 */
export const callbackDeliveries = pgTable(
  "callback_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** The body, fixed when the task ended: a later retry of the task does not change what this delivery says. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: moment("next_attempt_at").notNull().defaultNow(),
    deliveredAt: moment("delivered_at"),
    /** Set when the attempts ran out. */
    abandonedAt: moment("abandoned_at"),
    lastError: text("last_error"),
    createdAt: createdAt(),
  },
  (table) => [
    // What is still to deliver, soonest first.
    index("callback_deliveries_due_idx")
      .on(table.nextAttemptAt)
      .where(sql`${table.deliveredAt} is null and ${table.abandonedAt} is null`),
    index("callback_deliveries_task_idx").on(table.taskId),
  ],
);

export type CallbackDeliveryRow = typeof callbackDeliveries.$inferSelect;
