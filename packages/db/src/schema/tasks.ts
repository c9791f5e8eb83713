import { PLANNERS } from "@devtools/contracts/planning";
import { PRIORITIES, TASK_STATUSES } from "@devtools/contracts/task";
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, moment, oneOf, updatedAt } from "./columns.ts";

/** The routing plan as stored: subtask ids in order and by stage, plus estimates. */
export interface StoredRoutingPlan {
  execution_order: string[];
  stages: string[][];
  critical_path: string[];
  estimated_duration_minutes: number;
}

export const tasks = pgTable(
  "tasks",
  {
    id: id(),
    description: text("description").notNull(),
    priority: text("priority", { enum: PRIORITIES }).notNull(),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("pending"),
    planner: text("planner", { enum: PLANNERS }).notNull(),
    /** Why the rules planned a task the model was asked to plan. */
    plannerNote: text("planner_note"),
    routingPlan: jsonb("routing_plan").$type<StoredRoutingPlan>().notNull(),
    estimatedTokens: integer("estimated_tokens").notNull(),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: moment("started_at"),
    finishedAt: moment("finished_at"),
    /** Set by a cancel; cleared by a retry. Replicas that still run a subtask of it abort on their next renewal. */
    cancelRequestedAt: moment("cancel_requested_at"),
    /** Once the subtasks' tokens reach it, no more subtasks start; null is no budget. */
    maxTokens: integer("max_tokens"),
    /** Told with a signed POST each time the task ends (see callback_deliveries). */
    callbackUrl: text("callback_url"),
    /**
     * The W3C trace context (`traceparent`, `tracestate`) of the request that created the task, as
     * JSON: its subtasks are dispatched later, from a background loop, maybe on another replica, and
     * their spans continue that trace. Null when the request was not traced.
     */
    traceContext: text("trace_context"),
  },
  (table) => [
    // Keyset pagination, newest first, optionally within one status.
    index("tasks_created_idx").on(table.createdAt.desc(), table.id.desc()),
    index("tasks_status_created_idx").on(table.status, table.createdAt.desc(), table.id.desc()),
    check("tasks_status_check", oneOf(table.status, TASK_STATUSES)),
    check("tasks_priority_check", oneOf(table.priority, PRIORITIES)),
    check("tasks_planner_check", oneOf(table.planner, PLANNERS)),
    check("tasks_max_tokens_check", sql`${table.maxTokens} > 0`),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;
export type NewTaskRow = typeof tasks.$inferInsert;
