import type { TokenUsage } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** How a dispatch ended, as the metrics label it. */
export type DispatchOutcome = "succeeded" | "retry" | "failed" | "aborted" | "released";

/** The execution engine's metrics, on the service's registry. */
export class ExecutionMetrics {
  readonly #subtasks: Counter<"agent" | "outcome">;
  readonly #duration: Histogram<"agent" | "outcome">;
  readonly #dispatches: Counter<"agent">;
  readonly #retries: Counter<"agent" | "reason">;
  readonly #leaseRecoveries: Counter<"kind">;
  readonly #tasks: Counter<"status">;
  readonly #tokens: Counter<"agent" | "kind">;

  constructor(registry: Registry, inFlight: () => Partial<Record<AgentType, number>> = () => ({})) {
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
      help: "Tokens the agents' models used for subtasks that succeeded, by agent and kind (prompt, completion)",
      labelNames: ["agent", "kind"],
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

  subtaskEnded(agent: AgentType, outcome: "succeeded" | "failed" | "skipped" | "cancelled", count = 1): void {
    this.#subtasks.inc({ agent, outcome }, count);
  }

  leaseRecovered(kind: "expired" | "restart", count = 1): void {
    this.#leaseRecoveries.inc({ kind }, count);
  }

  taskFinished(status: string): void {
    this.#tasks.inc({ status });
  }

  tokens(agent: AgentType, usage: TokenUsage): void {
    this.#tokens.inc({ agent, kind: "prompt" }, usage.prompt_tokens);
    this.#tokens.inc({ agent, kind: "completion" }, usage.completion_tokens);
  }
}
