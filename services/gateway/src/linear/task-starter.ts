import { MAX_DESCRIPTION_LENGTH } from "@devtools/contracts/orchestrate";
import type { Database } from "@devtools/db/client";
import { BatchWorker } from "@devtools/service-kit/batch-worker";
import type { Logger } from "@devtools/service-kit/logger";
import type { OrchestratorClient } from "../upstream/orchestrator-client.ts";
import type { LinearClient } from "./linear-client.ts";
import { claimDueLinks, markStarted, markThoughtPosted, postponeStart, type TaskLink } from "./task-links.ts";
import type { TaskReporter } from "./task-reporter.ts";

export interface TaskStarterOptions {
  database: Database;
  linear: LinearClient;
  orchestrator: OrchestratorClient;
  reporter: TaskReporter;
  /** Where the orchestrator POSTs the end of the task a link started. */
  callbackUrl: (linkId: string) => string;
  logger: Logger;
  /** How often to look for links nobody woke this worker for (another replica's, a retry's). */
  pollMs?: number;
  /** Tries to start a task before the issue is told it could not be. */
  maxAttempts?: number;
}

const BATCH = 8;
// Longer than a start takes (a thought and an orchestrate call), so that a claim is not taken over mid-start.
const LEASE_MS = 60_000;

/**
 * Starts the tasks the webhook recorded, in the background: posts the agent session's first
 * `thought`, asks the orchestrator for the task (with the callback that reports its end), and keeps
 * the task id. Links are claimed with `skip locked`, so replicas share them; a failed start is
 * retried with backoff, and after the last try the issue is told.
 */
export class TaskStarter {
  readonly #options: TaskStarterOptions;
  readonly #worker: BatchWorker;

  constructor(options: TaskStarterOptions) {
    this.#options = options;
    this.#worker = new BatchWorker({
      round: async () => {
        const claimed = await claimDueLinks(options.database.query, BATCH, LEASE_MS);
        await Promise.all(claimed.map((link) => this.#start(link)));
        return claimed.length;
      },
      batch: BATCH,
      logger: options.logger,
      what: "starting Linear tasks",
      pollMs: options.pollMs ?? 5_000,
    });
  }

  wake(): void {
    this.#worker.wake();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  async #start(link: TaskLink): Promise<void> {
    const { database, linear, orchestrator, logger } = this.#options;
    if (link.agent_session_id && !link.thought_posted) {
      try {
        await linear.postAgentActivity(link.workspace_id, link.agent_session_id, {
          type: "thought",
          body: `Planning a devtools task for ${link.issue_identifier ?? "this issue"}…`,
        });
        await markThoughtPosted(database.query, link.id);
      } catch (error) {
        logger.warn({ err: error, link_id: link.id }, "posting the first thought to Linear failed");
      }
    }
    let failure: string;
    let permanent = false;
    try {
      const answer = await orchestrator.orchestrate({
        description: requestFor(link),
        priority: "medium",
        planner: "auto",
        callback_url: this.#options.callbackUrl(link.id),
      });
      if (answer.status === 200 || answer.status === 201) {
        await markStarted(database.query, link.id, answer.body.task_id);
        logger.info(
          { link_id: link.id, task_id: answer.body.task_id, issue: link.issue_identifier },
          "task started from Linear",
        );
        return;
      }
      const detail = (answer.body as unknown as { detail?: string } | null)?.detail;
      failure = `the orchestrator answered ${answer.status}${detail ? `: ${detail}` : ""}`;
      permanent = answer.status >= 400 && answer.status < 500 && answer.status !== 429;
    } catch (error) {
      failure = `the orchestrator did not answer: ${error instanceof Error ? error.message : String(error)}`;
    }
    const maxAttempts = this.#options.maxAttempts ?? 8;
    if (permanent || link.attempts >= maxAttempts) {
      logger.warn({ link_id: link.id, error: failure }, "giving up starting a task from Linear");
      try {
        await this.#options.reporter.reportNotStarted(link.id, failure);
        return;
      } catch {
        // Linear could not be told either: try it all again later.
      }
    }
    await postponeStart(database.query, link.id, failure, Math.min(1_000 * 2 ** link.attempts, 300_000));
  }
}

/** The orchestrator's request: the issue's title, then its description, within the accepted length. */
function requestFor(link: TaskLink): string {
  const text = link.description?.trim() ? `${link.title}\n\n${link.description.trim()}` : link.title;
  return text.slice(0, MAX_DESCRIPTION_LENGTH);
}
