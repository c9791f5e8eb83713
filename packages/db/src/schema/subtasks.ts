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
    /**
     * How many of `depends_on` have not succeeded yet, kept in step by the transitions. Only subtasks
     * waiting on nothing are in the claim's index, so a backlog of blocked subtasks costs claims
     * nothing; the claim's NOT EXISTS over `depends_on` stays the authority.
     */
    waitingOn: integer("waiting_on").notNull().default(0),
    estimatedTokens: integer("estimated_tokens").notNull(),
    /** Dispatches in this generation; capped by the orchestrator's SUBTASK_MAX_ATTEMPTS. */
    attempts: integer("attempts").notNull().default(0),
    /** Bumped by a retry of the task: the idempotency key sent to the agent is `<id>:<generation>`. */
    generation: integer("generation").notNull().default(0),
    result: jsonb("result"),
    error: text("error"),
    /** The orchestrator process that dispatched it; completion is fenced on it. */
    leaseOwner: text("lease_owner"),
    /** Past this moment a running subtask's owner is presumed dead and another replica takes it over. */
    leaseExpiresAt: moment("lease_expires_at"),
    /** A pending subtask that failed transiently is not dispatched before this moment. */
    nextAttemptAt: moment("next_attempt_at"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: moment("started_at"),
    finishedAt: moment("finished_at"),
  },
  (table) => [
    index("subtasks_task_idx").on(table.taskId, table.position),
    // The queue: only subtasks that may run now are indexed, in the order the claim takes them per agent.
    index("subtasks_claimable_idx")
      .on(table.agentType, table.createdAt, table.position)
      .where(sql`${table.status} in ('pending', 'running') and ${table.waitingOn} = 0`),
    // Expired leases, for the sweep that gives up on subtasks whose owners kept dying.
    index("subtasks_leased_idx").on(table.leaseExpiresAt).where(sql`${table.status} = 'running'`),
    check("subtasks_status_check", oneOf(table.status, SUBTASK_STATUSES)),
    check("subtasks_agent_type_check", oneOf(table.agentType, AGENT_TYPES)),
  ],
);

export type SubtaskRow = typeof subtasks.$inferSelect;
export type NewSubtaskRow = typeof subtasks.$inferInsert;
