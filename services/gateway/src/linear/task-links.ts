import { randomUUID } from "node:crypto";
import type { Database, Query } from "@devtools/db/client";
import type { TaskTrigger } from "./webhook-events.ts";

/** A task started from Linear, as the worker and the reporter read it. */
export interface TaskLink {
  id: string;
  workspace_id: string;
  issue_id: string;
  issue_identifier: string | null;
  agent_session_id: string | null;
  title: string;
  description: string | null;
  task_id: string | null;
  attempts: number;
  thought_posted: boolean;
}

const LINK_COLUMNS = `id::text as id, workspace_id, issue_id, issue_identifier, agent_session_id, title, description,
  task_id::text as task_id, attempts, thought_posted_at is not null as thought_posted`;

export type DeliveryOutcome = { kind: "replayed" } | { kind: "accepted"; linkId: string | undefined };

/**
 * Records an accepted webhook in one transaction: its delivery id (a repeat is refused) and, when it
 * asks for work, the task link the worker will start. Nothing is lost once this commits.
 */
export function recordDelivery(
  database: Database,
  deliveryId: string,
  event: string,
  trigger: TaskTrigger | undefined,
): Promise<DeliveryOutcome> {
  return database.transaction(async (query): Promise<DeliveryOutcome> => {
    // A day is far past the 60 s timestamp window: a delivery that old is refused as stale anyway.
    await query("delete from linear_webhook_deliveries where received_at < now() - interval '1 day'", []);
    const recorded = await query(
      "insert into linear_webhook_deliveries (delivery_id, event) values ($1, $2) on conflict do nothing returning delivery_id",
      [deliveryId, event],
    );
    if (recorded.length === 0) return { kind: "replayed" };
    if (!trigger) return { kind: "accepted", linkId: undefined };
    // A trigger already seen, or an issue whose last task is not reported yet, starts nothing new.
    const [link] = await query<{ id: string }>(
      `insert into linear_task_links
         (id, trigger_key, workspace_id, issue_id, issue_identifier, agent_session_id, title, description, delivery_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict do nothing returning id::text as id`,
      [
        randomUUID(),
        trigger.triggerKey,
        trigger.workspaceId,
        trigger.issueId,
        trigger.issueIdentifier,
        trigger.agentSessionId,
        trigger.title,
        trigger.description,
        deliveryId,
      ],
    );
    return { kind: "accepted", linkId: link?.id };
  });
}

/** Claims up to `limit` links due to start; the claim pushes `next_attempt_at` by `leaseMs`, its lease. */
export function claimDueLinks(query: Query, limit: number, leaseMs: number): Promise<TaskLink[]> {
  return query<TaskLink>(
    `with due as (
       select id from linear_task_links
       where task_id is null and reported_at is null and next_attempt_at <= now()
       order by next_attempt_at limit $1
       for update skip locked
     )
     update linear_task_links
     set attempts = attempts + 1, next_attempt_at = now() + $2::double precision * interval '1 millisecond'
     where id in (select id from due)
     returning ${LINK_COLUMNS}`,
    [limit, leaseMs],
  );
}

export async function markThoughtPosted(query: Query, linkId: string): Promise<void> {
  await query("update linear_task_links set thought_posted_at = now() where id = $1", [linkId]);
}

export async function markStarted(query: Query, linkId: string, taskId: string): Promise<void> {
  await query("update linear_task_links set task_id = $2, last_error = null where id = $1", [linkId, taskId]);
}

export async function postponeStart(query: Query, linkId: string, error: string, delayMs: number): Promise<void> {
  await query(
    `update linear_task_links set last_error = $2, next_attempt_at = now() + $3::double precision * interval '1 millisecond'
     where id = $1`,
    [linkId, error, delayMs],
  );
}

export type ReportClaim =
  | { kind: "claimed"; link: TaskLink }
  | { kind: "unknown" }
  | { kind: "other_task" }
  | { kind: "already_reported" }
  | { kind: "in_progress" };

/**
 * The compare-and-set that makes a result go to Linear once: claims the link for reporting if it is
 * unreported and nobody else holds a live claim (`leaseMs`). `taskId` is the task the report is for.
 */
export async function claimReport(
  query: Query,
  linkId: string,
  taskId: string | null,
  leaseMs: number,
): Promise<ReportClaim> {
  const [link] = await query<TaskLink>(
    `update linear_task_links
     set report_claimed_at = now(), task_id = coalesce(task_id, $2::uuid)
     where id = $1::uuid and reported_at is null and ($2::uuid is null or task_id is null or task_id = $2::uuid)
       and (report_claimed_at is null or report_claimed_at < now() - $3::double precision * interval '1 millisecond')
     returning ${LINK_COLUMNS}`,
    [linkId, taskId, leaseMs],
  );
  if (link) return { kind: "claimed", link };
  const [existing] = await query<{ task_id: string | null; reported: boolean }>(
    "select task_id::text as task_id, reported_at is not null as reported from linear_task_links where id = $1::uuid",
    [linkId],
  );
  if (!existing) return { kind: "unknown" };
  if (existing.reported) return { kind: "already_reported" };
  if (taskId !== null && existing.task_id !== null && existing.task_id !== taskId) return { kind: "other_task" };
  return { kind: "in_progress" };
}

export async function markReported(query: Query, linkId: string): Promise<void> {
  await query("update linear_task_links set reported_at = now() where id = $1::uuid and reported_at is null", [linkId]);
}

/** Gives the claim back after a failed report, so that the next callback delivery can try again. */
export async function releaseReport(query: Query, linkId: string, error: string): Promise<void> {
  await query("update linear_task_links set report_claimed_at = null, last_error = $2 where id = $1::uuid", [
    linkId,
    error,
  ]);
}
