import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, moment, updatedAt } from "./columns.ts";

/**
 * A task started from Linear and where its result goes: written with the webhook delivery before
 * the webhook is answered (so accepted work survives a crash), started by a background worker
 * (`next_attempt_at` is its lease), and reported once: `reported_at` is set by a compare-and-set.
 */
export const linearTaskLinks = pgTable(
  "linear_task_links",
  {
    id: id(),
    /** What started it (`session:<id>` or `issue:<id>@<updatedAt>`): the same trigger never starts two tasks. */
    triggerKey: text("trigger_key").notNull(),
    workspaceId: text("workspace_id").notNull(),
    issueId: text("issue_id").notNull(),
    issueIdentifier: text("issue_identifier"),
    /** Set for agent sessions: the result goes back as activities rather than a comment. */
    agentSessionId: text("agent_session_id"),
    title: text("title").notNull(),
    description: text("description"),
    deliveryId: text("delivery_id").notNull(),
    taskId: uuid("task_id"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: moment("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    thoughtPostedAt: moment("thought_posted_at"),
    /** A reporter's claim, its lease: another may report only once it lapses. */
    reportClaimedAt: moment("report_claimed_at"),
    reportedAt: moment("reported_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("linear_task_links_trigger_idx").on(table.triggerKey),
    // One unreported task per issue: a delegation and the agent session it opens start one task.
    uniqueIndex("linear_task_links_open_issue_idx").on(table.issueId).where(sql`${table.reportedAt} is null`),
    index("linear_task_links_due_idx")
      .on(table.nextAttemptAt)
      .where(sql`${table.taskId} is null and ${table.reportedAt} is null`),
    index("linear_task_links_task_idx").on(table.taskId),
  ],
);

export type LinearTaskLinkRow = typeof linearTaskLinks.$inferSelect;
