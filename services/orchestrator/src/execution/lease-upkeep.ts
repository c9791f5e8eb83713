import type { Database } from "@devtools/db/client";
import type { Logger } from "@devtools/service-kit/logger";
import { exhaustedLeases, lostLeases, predecessorLeases, renewLeases } from "./lease.ts";
import type { ExecutionMetrics } from "./metrics.ts";
import type { OutcomeRecorder } from "./recorder.ts";
import type { Lease } from "./settle.ts";

/**
 * The periodic side of leases: renewing ours while the agents work, finding the ones we lost,
 * giving up on subtasks whose owners kept dying, and releasing at start what an earlier process of
 * this instance left running.
 */
export class LeaseUpkeep {
  readonly #database: Database;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #recorder: OutcomeRecorder;
  readonly #metrics: ExecutionMetrics;
  readonly #logger: Logger;

  constructor(dependencies: {
    database: Database;
    owner: string;
    leaseMs: number;
    maxAttempts: number;
    recorder: OutcomeRecorder;
    metrics: ExecutionMetrics;
    logger: Logger;
  }) {
    this.#database = dependencies.database;
    this.#owner = dependencies.owner;
    this.#leaseMs = dependencies.leaseMs;
    this.#maxAttempts = dependencies.maxAttempts;
    this.#recorder = dependencies.recorder;
    this.#metrics = dependencies.metrics;
    this.#logger = dependencies.logger;
  }

  /** Extends the leases still ours; answers the ids of those no longer ours (their dispatches should stop). */
  async renew(leases: readonly Lease[]): Promise<Set<string>> {
    if (leases.length === 0) return new Set();
    const renewed = await renewLeases(this.#database.query, this.#owner, leases, this.#leaseMs);
    return this.lost(leases.filter((lease) => !renewed.has(lease.subtaskId)));
  }

  /** The ids of the leases that are no longer ours: cancelled, retried or taken over. */
  lost(leases: readonly Lease[]): Promise<Set<string>> {
    return lostLeases(this.#database.query, this.#owner, leases);
  }

  /** Fails the subtasks whose leases expired after their last attempt. */
  async sweepExhausted(): Promise<void> {
    for (const lease of await exhaustedLeases(this.#database.query, this.#maxAttempts)) {
      await this.#recorder.record(
        lease,
        {
          kind: "failed",
          error: `gave up after ${lease.attempts} attempts: its orchestrator stopped answering while the agent worked (lease expired)`,
        },
        { requireExpired: true },
      );
    }
  }

  /**
   * Releases the leases of earlier processes of `instance` (same host and port: they cannot be alive
   * while we listen there), so a restart does not wait for them to expire.
   */
  async releasePredecessors(instance: string): Promise<void> {
    try {
      let released = 0;
      for (const lease of await predecessorLeases(this.#database.query, `${instance}/`, this.#owner)) {
        const settled = await this.#recorder.record(lease, {
          kind: "released",
          reason: "its orchestrator process ended; released when the same instance restarted",
        });
        if (settled?.recorded) released++;
      }
      if (released > 0) {
        this.#metrics.leaseRecovered("restart", released);
        this.#logger.info({ released }, "released the subtasks an earlier process of this instance left running");
      }
    } catch (error) {
      this.#logger.warn({ err: error }, "could not release earlier leases; they will expire");
    }
  }
}
