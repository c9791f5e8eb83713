import type { AgentType } from "@devtools/contracts/agent-type";
import type { TokenUsage } from "@devtools/inference/client";
import { Counter, Histogram, type Registry } from "prom-client";

/** How an execution ended: the `outcome` label of `agent_executions_total`. */
export type ExecutionOutcome =
  | "success"
  | "invalid_output"
  | "rejected"
  | "unavailable"
  | "bad_gateway"
  | "cancelled"
  | "error";

export const EXECUTION_OUTCOMES: readonly ExecutionOutcome[] = [
  "success",
  "invalid_output",
  "rejected",
  "unavailable",
  "bad_gateway",
  "cancelled",
  "error",
];

/** Where a replayed answer came from: the idempotency store, or an execution still running for the same key. */
export type ReplaySource = "store" | "in_flight";

// From a cached short answer to a long generation with a repair round.
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640];

/** The agent's own metrics, on the service's registry next to the inference client's `inference_*` ones. */
export class AgentMetrics {
  readonly #agent: AgentType;
  readonly #executions: Counter<"agent" | "outcome">;
  readonly #duration: Histogram<"agent" | "outcome">;
  readonly #tokens: Counter<"agent" | "kind">;
  readonly #replays: Counter<"agent" | "source">;

  constructor(registry: Registry, agent: AgentType) {
    const registers = [registry];
    this.#agent = agent;
    this.#executions = new Counter({
      name: "agent_executions_total",
      help: "Executions that called the model, by agent and outcome (success, invalid_output, rejected, unavailable, bad_gateway, cancelled, error).",
      labelNames: ["agent", "outcome"] as const,
      registers,
    });
    this.#duration = new Histogram({
      name: "agent_execution_duration_seconds",
      help: "Time of one execution from its start to its result or failure, repair round included.",
      labelNames: ["agent", "outcome"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#tokens = new Counter({
      name: "agent_tokens_total",
      help: "Tokens the agent's model calls took, by kind (prompt, completion, cached_prompt: prompt tokens the prefix cache served), failed calls included.",
      labelNames: ["agent", "kind"] as const,
      registers,
    });
    this.#replays = new Counter({
      name: "agent_idempotent_replays_total",
      help: "Requests answered without calling the model because their idempotency key was known, by source (store, in_flight).",
      labelNames: ["agent", "source"] as const,
      registers,
    });
    // Every series exists from the start, so that rates and alerts see 0 rather than nothing.
    for (const outcome of EXECUTION_OUTCOMES) this.#executions.inc({ agent, outcome }, 0);
    for (const kind of ["prompt", "completion", "cached_prompt"]) this.#tokens.inc({ agent, kind }, 0);
    for (const source of ["store", "in_flight"]) this.#replays.inc({ agent, source }, 0);
  }

  executed(outcome: ExecutionOutcome, seconds: number, usage: TokenUsage): void {
    const agent = this.#agent;
    this.#executions.inc({ agent, outcome });
    this.#duration.observe({ agent, outcome }, seconds);
    this.#tokens.inc({ agent, kind: "prompt" }, usage.promptTokens);
    this.#tokens.inc({ agent, kind: "completion" }, usage.completionTokens);
    this.#tokens.inc({ agent, kind: "cached_prompt" }, usage.cachedPromptTokens ?? 0);
  }

  replayed(source: ReplaySource): void {
    this.#replays.inc({ agent: this.#agent, source });
  }
}
