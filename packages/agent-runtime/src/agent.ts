import type { Artifact, ExecuteRequest } from "@devtools/contracts/agent";
import type { AgentOutput } from "@devtools/contracts/agent-outputs";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { OutputCheck } from "@devtools/inference/client";
import type { PromptPart } from "@devtools/inference/prompt";
import type { z } from "zod";

/** What the result shows of an output besides the output itself. */
export interface Presentation {
  /** One paragraph for the orchestrator, the task view and downstream agents. */
  summary: string;
  /** The files the output holds, for the caller to write and for downstream agents to read. */
  artifacts: Artifact[];
}

/**
 * What makes one specialist differ from another: what it is told, what it must answer and how its
 * answer is checked and shown. The runtime does the rest (HTTP, prompts, the model call with its one
 * repair round, idempotency, streaming, metrics). Keep it data: no I/O, no state.
 */
export interface AgentDefinition<Type extends AgentType = AgentType> {
  type: Type;
  /** One sentence on what the agent produces. */
  description: string;
  skills: readonly string[];
  /**
   * The agent's role and rules. With `instructions` and the output schema it is the static start of
   * every prompt, byte-identical on every call, so vLLM's prefix cache serves it: no ids, dates or
   * per-request text here.
   */
  system: string;
  /** How to do the task, the same for every call. */
  instructions: string;
  /**
   * The schema the model's answer must match: the agent's own from `@devtools/contracts/agent-outputs`
   * (`AGENT_OUTPUTS[type]`), which is also what its results and /capabilities declare.
   */
  output: z.ZodType<AgentOutput<Type>>;
  /**
   * The per-request part of the prompt. Default (`subtaskInput`): the subtask's description, then
   * the upstream results in a stable order.
   */
  input?: (request: ExecuteRequest) => PromptPart[];
  /**
   * Checks the schema cannot express (a YAML or Dockerfile parser…). Their problems go back to the
   * model in the one repair round; if the repaired answer still fails, the execution fails with 422.
   */
  checks?: readonly OutputCheck<AgentOutput<Type>>[];
  /** The result's summary and artifacts, from a validated output. */
  present: (output: AgentOutput<Type>) => Presentation;
  /** Sampling temperature; default 0.2 (specialists should be steady, not creative). */
  temperature?: number;
  /** Cap on the answer's tokens per round; default: the backend's (what remains of the context). */
  maxTokens?: number;
}

/** Declares an agent, inferring its type so that `checks` and `present` see its own output type. */
export function defineAgent<Type extends AgentType>(definition: AgentDefinition<Type>): AgentDefinition<Type> {
  return definition;
}
