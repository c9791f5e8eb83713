import type { ExecuteRequest, ExecuteResultOf } from "@devtools/contracts/agent";
import type { AgentOutput } from "@devtools/contracts/agent-outputs";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { InferenceClient, OutputCheck } from "@devtools/inference/client";
import type { OutputIssue } from "@devtools/inference/errors";
import type { Logger } from "@devtools/service-kit/logger";
import type { AgentDefinition } from "./agent.ts";
import { InferenceNotConfiguredError } from "./errors.ts";
import type { ExecutionEvents } from "./execution-events.ts";
import { failureOf } from "./failures.ts";
import type { AgentMetrics } from "./metrics.ts";
import { subtaskInput } from "./prompt.ts";
import { addRound, newTally, type RoundTally } from "./round-tally.ts";

/** How one execution runs. */
export interface ExecutionContext {
  /** Aborts the model call (its HTTP request included) when no caller waits for the result any more. */
  signal: AbortSignal;
  events: ExecutionEvents;
  /** Stream the model's answer, passing its text on as `token` events. */
  stream: boolean;
}

/** The model behind an agent, or why there is none. */
export type AgentInference = { client: InferenceClient } | { missing: readonly string[] };

const DEFAULT_TEMPERATURE = 0.2;

const ids = (request: ExecuteRequest) => ({ subtask_id: request.subtask_id, task_id: request.task_id });

const tokens = ({ usage }: RoundTally) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  cached_prompt_tokens: usage.cachedPromptTokens,
});

/** The definition's checks as one check: all of them run, and every problem goes to the repair round. */
function combinedCheck<Output>(checks: readonly OutputCheck<Output>[]): OutputCheck<Output> | undefined {
  if (checks.length === 0) return undefined;
  return async (output) => {
    const problems = await Promise.all(checks.map((check) => check(output)));
    return problems.flat() as (string | OutputIssue)[];
  };
}

/**
 * Runs one subtask on an agent's definition: builds the prompt (static system and instructions
 * first, then the subtask and upstream results), asks for the agent's output schema with its checks
 * (one repair round), and turns the output into the result. Knows nothing of HTTP or idempotency.
 */
export class AgentExecutor<Type extends AgentType> {
  readonly #definition: AgentDefinition<Type>;
  readonly #inference: AgentInference;
  readonly #metrics: AgentMetrics;
  readonly #logger: Logger;
  readonly #check: OutputCheck<AgentOutput<Type>> | undefined;
  readonly #name: string;

  constructor(
    definition: AgentDefinition<Type>,
    dependencies: { inference: AgentInference; metrics: AgentMetrics; logger: Logger },
  ) {
    this.#definition = definition;
    this.#inference = dependencies.inference;
    this.#metrics = dependencies.metrics;
    this.#logger = dependencies.logger;
    this.#check = combinedCheck(definition.checks ?? []);
    this.#name = `${definition.type.replaceAll("-", "_")}_output`;
  }

  async execute(request: ExecuteRequest, context: ExecutionContext): Promise<ExecuteResultOf<Type>> {
    const definition = this.#definition;
    if ("missing" in this.#inference) throw new InferenceNotConfiguredError(this.#inference.missing);
    const { client } = this.#inference;
    context.signal.throwIfAborted();
    const started = performance.now();
    const tally = newTally();
    context.events.phase("started");
    try {
      const { events } = context;
      const answer = await client.generateObject(
        {
          schema: definition.output,
          name: this.#name,
          system: definition.system,
          instructions: definition.instructions,
          input: (definition.input ?? subtaskInput)(request),
          check: this.#check,
          temperature: definition.temperature ?? DEFAULT_TEMPERATURE,
          maxTokens: definition.maxTokens,
        },
        {
          signal: context.signal,
          onRound: (round) => {
            tally.rounds = round;
            events.phase(round === 1 ? "generating" : "repairing");
          },
          onAnswer: (usage) => {
            addRound(tally, usage);
            events.phase("checking");
          },
          ...(context.stream ? { onDelta: (text: string) => events.token(text) } : {}),
        },
      );
      const output = answer.value;
      const { summary, artifacts } = definition.present(output);
      const result = {
        subtask_id: request.subtask_id,
        agent_type: definition.type,
        summary,
        artifacts,
        usage: {
          prompt_tokens: answer.usage.promptTokens,
          completion_tokens: answer.usage.completionTokens,
          total_tokens: answer.usage.totalTokens,
        },
        output,
        model: answer.model,
        repaired: answer.repaired,
        replayed: false,
      } as ExecuteResultOf<Type>;
      const seconds = (performance.now() - started) / 1000;
      this.#metrics.executed("success", seconds, tally.usage);
      this.#logger.info(
        {
          ...ids(request),
          model: answer.model,
          repaired: answer.repaired,
          rounds: tally.rounds,
          ...tokens(tally),
          seconds,
        },
        "execution finished",
      );
      context.events.phase("done");
      return result;
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      const outcome = context.signal.aborted ? "cancelled" : (failureOf(error)?.outcome ?? "error");
      this.#metrics.executed(outcome, seconds, tally.usage);
      const details = { ...ids(request), outcome, rounds: tally.rounds, ...tokens(tally), seconds };
      if (outcome === "cancelled") this.#logger.info(details, "execution cancelled: no caller waits for it");
      else
        this.#logger.warn(
          { ...details, error: error instanceof Error ? error.message : String(error) },
          "execution failed",
        );
      throw error;
    }
  }
}
