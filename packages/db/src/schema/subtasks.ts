import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SUBTASK_STATUSES } from "@devtools/contracts/task";
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, moment, oneOf, updatedAt } from "./columns.ts";
import { tasks } from "./tasks.ts";

export const subtasks = pgTable(
  "subtasks",
  {
    id: id(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    /** Position in the plan's execution order. */
    position: integer("position").notNull(),
    stage: integer("stage").notNull(),
    agentType: text("agent_type", { enum: AGENT_TYPES }).notNull(),
    description: text("description").notNull(),
    status: text("status", { enum: SUBTASK_STATUSES }).notNull().default("pending"),
    dependsOn: uuid("depends_on").array().notNull().default(sql`'{}'::uuid[]`),
    estimatedTokens: integer("estimated_tokens").notNull(),
    attempts: integer("attempts").notNull().default(0),
    result: jsonb("result"),
    error: text("error"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: moment("lease_expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: moment("started_at"),
    finishedAt: moment("finished_at"),
  },
  (table) => [
    index("subtasks_task_idx").on(table.taskId, table.position),
    index("subtasks_runnable_idx").on(table.status, table.leaseExpiresAt),
    check("subtasks_status_check", oneOf(table.status, SUBTASK_STATUSES)),
    check("subtasks_agent_type_check", oneOf(table.agentType, AGENT_TYPES)),
  ],
);

export type SubtaskRow = typeof subtasks.$inferSelect;
export type NewSubtaskRow = typeof subtasks.$inferInsert;
