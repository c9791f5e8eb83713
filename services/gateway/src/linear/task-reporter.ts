import type { Database } from "@devtools/db/client";
import { HttpError } from "@devtools/service-kit/errors";
import type { Logger } from "@devtools/service-kit/logger";
import type { OrchestratorClient } from "../upstream/orchestrator-client.ts";
import type { LinearClient } from "./linear-client.ts";
import { taskNotStartedMarkdown, taskResultMarkdown } from "./result-message.ts";
import { claimReport, markReported, releaseReport, type TaskLink } from "./task-links.ts";

// A reporter that died mid-report leaves its claim; after this long another may report.
const REPORT_LEASE_MS = 120_000;

export interface TaskReporterOptions {
  database: Database;
  linear: LinearClient;
  orchestrator: OrchestratorClient;
  /** The task's address for people, from its id. */
  taskUrl: (taskId: string) => string;
  logger: Logger;
}

export type ReportOutcome = "reported" | "already_reported" | "in_progress";

/**
 * Writes a task's end back to its Linear issue once: a `response` (or `error`) activity for agent
 * sessions, a comment otherwise. The claim is a compare-and-set, so duplicate callbacks and webhook
 * repeats post nothing more; a failed post gives the claim back for the next callback delivery.
 */
export class TaskReporter {
  readonly #options: TaskReporterOptions;

  constructor(options: TaskReporterOptions) {
    this.#options = options;
  }

  /** @throws HttpError 404 (unknown link), 409 (another task's callback), 502 (the task or Linear failed). */
  async reportTaskEnd(linkId: string, taskId: string): Promise<ReportOutcome> {
    const claim = await claimReport(this.#options.database.query, linkId, taskId, REPORT_LEASE_MS);
    if (claim.kind === "unknown") throw new HttpError("not_found", `no Linear task link ${linkId}`);
    if (claim.kind === "other_task")
      throw new HttpError("conflict", `Linear task link ${linkId} belongs to another task`);
    if (claim.kind !== "claimed") return claim.kind;
    return this.#deliver(claim.link, async () => {
      const answer = await this.#options.orchestrator.getTask(taskId);
      if (answer.status !== 200)
        throw new HttpError("bad_gateway", `the orchestrator answered ${answer.status} for task ${taskId}`);
      const task = answer.body;
      return { markdown: taskResultMarkdown(task, this.#options.taskUrl(taskId)), failed: task.status !== "succeeded" };
    });
  }

  /** Tells the issue its task could not be started (the orchestrator refused it or never answered). */
  async reportNotStarted(linkId: string, reason: string): Promise<ReportOutcome> {
    const claim = await claimReport(this.#options.database.query, linkId, null, REPORT_LEASE_MS);
    if (claim.kind !== "claimed") return claim.kind === "already_reported" ? claim.kind : "in_progress";
    return this.#deliver(claim.link, async () => ({ markdown: taskNotStartedMarkdown(reason), failed: true }));
  }

  async #deliver(link: TaskLink, compose: () => Promise<{ markdown: string; failed: boolean }>): Promise<"reported"> {
    const { database, linear, logger } = this.#options;
    try {
      const { markdown, failed } = await compose();
      if (link.agent_session_id) {
        await linear.postAgentActivity(link.workspace_id, link.agent_session_id, {
          type: failed ? "error" : "response",
          body: markdown,
        });
      } else {
        await linear.commentOnIssue(link.workspace_id, link.issue_id, markdown);
      }
    } catch (error) {
      await releaseReport(database.query, link.id, error instanceof Error ? error.message : String(error));
      logger.warn(
        { err: error, link_id: link.id, task_id: link.task_id },
        "reporting to Linear failed; the next callback retries",
      );
      throw error instanceof HttpError
        ? error
        : new HttpError("bad_gateway", "reporting to Linear failed", { cause: error });
    }
    await markReported(database.query, link.id);
    logger.info(
      { link_id: link.id, task_id: link.task_id, issue: link.issue_identifier ?? link.issue_id },
      "task result reported to Linear",
    );
    return "reported";
  }
}
