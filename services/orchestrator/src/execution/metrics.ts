import type { TokenUsage } from "@devtools/contracts/agent";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import { FINAL_TASK_STATUSES, SUBTASK_STATUSES, TASK_STATUSES } from "@devtools/contracts/task";
import type { Query } from "@devtools/db/client";
import type { Logger } from "@devtools/service-kit/logger";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** How a dispatch ended, as the metrics label it. */
export type DispatchOutcome = "succeeded" | "retry" | "failed" | "aborted" | "released";

type SubtaskEnd = "succeeded" | "failed" | "skipped" | "cancelled";
const SUBTASK_ENDS: readonly SubtaskEnd[] = ["succeeded", "failed", "skipped", "cancelled"];

/** Where the gauges read what they report at scrape time. */
export interface MetricSources {
  /** Subtasks this process is dispatching now, by agent. */
  inFlight?: () => Partial<Record<AgentType, number>>;
  /** The task store, for the stored tasks and subtasks by status; with a logger for a failed count. */
  store?: { query: Query; logger: Logger };
}

interface StoredCount {
  kind: "task" | "subtask";
  agent: AgentType | null;
  status: string;
  count: number;
}

// One round trip for both gauges. It scans the tables, so a scrape reuses an answer younger than
// STORED_COUNTS_TTL_MS: Prometheus scrapes every 15 s, and several scrapers may share a replica.
const STORED_COUNTS = `
  select 'task' as kind, null::text as agent, status, count(*)::int as count from tasks group by status
  union all
  select 'subtask', agent_type, status, count(*)::int from subtasks group by agent_type, status`;
const STORED_COUNTS_TTL_MS = 5_000;

/** The execution engine's metrics, on the service's registry. */
export class ExecutionMetrics {
  readonly #subtasks: Counter<"agent" | "outcome">;
  readonly #duration: Histogram<"agent" | "outcome">;
  readonly #dispatches: Counter<"agent">;
  readonly #retries: Counter<"agent" | "reason">;
  readonly #leaseRecoveries: Counter<"kind">;
  readonly #tasks: Counter<"status">;
  readonly #tokens: Counter<"agent" | "model" | "kind">;

  constructor(registry: Registry, { inFlight = () => ({}), store }: MetricSources = {}) {
    const registers = [registry];
    this.#subtasks = new Counter({
      name: "orchestrator_subtasks_total",
      help: "Subtasks that reached a final status here, by agent and outcome (succeeded, failed, skipped, cancelled)",
      labelNames: ["agent", "outcome"],
      registers,
    });
    this.#duration = new Histogram({
      name: "orchestrator_subtask_duration_seconds",
      help: "From dispatch to the agent's answer, by agent and what the answer meant (succeeded, retry, failed, aborted, released)",
      labelNames: ["agent", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.#dispatches = new Counter({
      name: "orchestrator_dispatch_attempts_total",
      help: "Subtasks sent to an agent, retries included",
      labelNames: ["agent"],
      registers,
    });
    this.#retries = new Counter({
      name: "orchestrator_dispatch_retries_total",
      help: "Dispatches that failed transiently and were scheduled again, by agent and reason (unreachable, status, timeout)",
      labelNames: ["agent", "reason"],
      registers,
    });
    this.#leaseRecoveries = new Counter({
      name: "orchestrator_lease_recoveries_total",
      help: "Subtasks taken over from an orchestrator process that stopped: expired (lease ran out), restart (same instance restarted)",
      labelNames: ["kind"],
      registers,
    });
    this.#tasks = new Counter({
      name: "orchestrator_tasks_finished_total",
      help: "Tasks that ended here, by final status",
      labelNames: ["status"],
      registers,
    });
    this.#tokens = new Counter({
      name: "orchestrator_tokens_total",
      help: "Tokens the agents' models used for subtasks that succeeded, by agent, model and kind (prompt, completion)",
      labelNames: ["agent", "model", "kind"],
      registers,
    });
    new Gauge({
      name: "orchestrator_subtasks_in_flight",
      help: "Subtasks this process is dispatching now, by agent",
      labelNames: ["agent"],
      registers,
      collect() {
        this.reset();
        for (const [agent, count] of Object.entries(inFlight())) this.set({ agent }, count ?? 0);
      },
    });
    if (store) registerStoredCounts(registers, store);
    // Every series of a known label set exists from the start, so that rates and alerts see 0, not nothing.
    for (const agent of AGENT_TYPES) {
      for (const outcome of SUBTASK_ENDS) this.#subtasks.inc({ agent, outcome }, 0);
    }
    for (const status of FINAL_TASK_STATUSES) this.#tasks.inc({ status }, 0);
    for (const kind of ["expired", "restart"]) this.#leaseRecoveries.inc({ kind }, 0);
  }

  dispatched(agent: AgentType): void {
    this.#dispatches.inc({ agent });
  }

  answered(agent: AgentType, outcome: DispatchOutcome, seconds: number): void {
    this.#duration.observe({ agent, outcome }, seconds);
  }

  retried(agent: AgentType, reason: "unreachable" | "status" | "timeout"): void {
    this.#retries.inc({ agent, reason });
  }

  subtaskEnded(agent: AgentType, outcome: SubtaskEnd, count = 1): void {
    this.#subtasks.inc({ agent, outcome }, count);
  }

  leaseRecovered(kind: "expired" | "restart", count = 1): void {
    this.#leaseRecoveries.inc({ kind }, count);
  }

  taskFinished(status: string): void {
    this.#tasks.inc({ status });
  }

  tokens(agent: AgentType, model: string, usage: TokenUsage): void {
    this.#tokens.inc({ agent, model, kind: "prompt" }, usage.prompt_tokens);
    this.#tokens.inc({ agent, model, kind: "completion" }, usage.completion_tokens);
  }
}

/**
 * Gauges of every task and subtask in the database by status (subtasks also by agent), read at
 * scrape time. They describe the shared database, so every replica reports the same numbers:
 * aggregate them with `max`, not `sum`. A failed count leaves both gauges empty rather than stale.
 */
function registerStoredCounts(registers: Registry[], { query, logger }: NonNullable<MetricSources["store"]>): void {
  // Undefined when the count failed: both gauges then stay empty rather than claim zero.
  let cached: { at: number; rows: Promise<StoredCount[] | undefined> } | undefined;
  const counts = (): Promise<StoredCount[] | undefined> => {
    const now = Date.now();
    if (!cached || now - cached.at > STORED_COUNTS_TTL_MS) {
      const rows = query<StoredCount>(STORED_COUNTS, []).catch((error: unknown) => {
        logger.warn({ err: error }, "could not count the stored tasks for /metrics");
        cached = undefined;
        return undefined;
      });
      cached = { at: now, rows };
    }
    return cached.rows;
  };
  new Gauge({
    name: "orchestrator_stored_tasks",
    help: "Tasks in the database by status (pending, running, succeeded, failed, partial, cancelled); the same on every replica",
    labelNames: ["status"],
    registers,
    async collect() {
      const rows = await counts();
      this.reset();
      if (!rows) return;
      for (const status of TASK_STATUSES) this.set({ status }, 0);
      for (const row of rows) if (row.kind === "task") this.set({ status: row.status }, row.count);
    },
  });
  new Gauge({
    name: "orchestrator_stored_subtasks",
    help: "Subtasks in the database by agent and status (pending, running, succeeded, failed, skipped, cancelled); the same on every replica",
    labelNames: ["agent", "status"],
    registers,
    async collect() {
      const rows = await counts();
      this.reset();
      if (!rows) return;
      for (const agent of AGENT_TYPES) for (const status of SUBTASK_STATUSES) this.set({ agent, status }, 0);
      for (const row of rows)
        if (row.kind === "subtask") this.set({ agent: row.agent ?? "", status: row.status }, row.count);
    },
  });
}
