import { z } from "zod";
import {
  CicdOutput,
  CodeReviewOutput,
  DocumentationOutput,
  FeatureDevOutput,
  InfrastructureOutput,
} from "./agent-outputs.ts";
import { AgentType } from "./agent-type.ts";

export const TokenUsage = z
  .object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative(),
  })
  .meta({ id: "TokenUsage" });
export type TokenUsage = z.infer<typeof TokenUsage>;

export const Artifact = z
  .object({
    path: z.string().min(1),
    kind: z.string().min(1),
    content: z.string(),
  })
  .meta({ id: "Artifact", description: "A file an agent produced." });
export type Artifact = z.infer<typeof Artifact>;

export const UpstreamResult = z.object({
  subtask_id: z.uuid(),
  agent_type: AgentType,
  summary: z.string(),
  artifacts: z.array(Artifact),
});
export type UpstreamResult = z.infer<typeof UpstreamResult>;

export const ExecuteRequest = z
  .strictObject({
    subtask_id: z.uuid(),
    task_id: z.uuid(),
    description: z.string().trim().min(1).max(20_000),
    upstream: z.array(UpstreamResult).default([]),
    idempotency_key: z.string().min(1).max(200),
  })
  .meta({ id: "ExecuteRequest", description: "One subtask, with the results of the subtasks it depends on." });
export type ExecuteRequest = z.infer<typeof ExecuteRequest>;

const resultFields = {
  subtask_id: z.uuid(),
  summary: z.string(),
  artifacts: z.array(Artifact),
  usage: TokenUsage,
  model: z.string().meta({ description: "The model that wrote the output, as the inference backend named it." }),
  repaired: z
    .boolean()
    .meta({ description: "Whether the model's first answer was invalid and one repair round fixed it." }),
  replayed: z.boolean().meta({
    description:
      "Whether this answer was not computed for this request: the stored result of an earlier request with the same idempotency key, or shared with one still running.",
  }),
};

export const FeatureDevExecuteResult = z
  .object({ ...resultFields, agent_type: z.literal("feature-dev"), output: FeatureDevOutput })
  .meta({ id: "FeatureDevExecuteResult" });
export const CodeReviewExecuteResult = z
  .object({ ...resultFields, agent_type: z.literal("code-review"), output: CodeReviewOutput })
  .meta({ id: "CodeReviewExecuteResult" });
export const InfrastructureExecuteResult = z
  .object({ ...resultFields, agent_type: z.literal("infrastructure"), output: InfrastructureOutput })
  .meta({ id: "InfrastructureExecuteResult" });
export const CicdExecuteResult = z
  .object({ ...resultFields, agent_type: z.literal("cicd"), output: CicdOutput })
  .meta({ id: "CicdExecuteResult" });
export const DocumentationExecuteResult = z
  .object({ ...resultFields, agent_type: z.literal("documentation"), output: DocumentationOutput })
  .meta({ id: "DocumentationExecuteResult" });

/** What `POST /execute` answers: the agent's structured `output` (typed by `agent_type`), its files as `artifacts`, and the tokens it took. */
export const ExecuteResult = z
  .discriminatedUnion("agent_type", [
    FeatureDevExecuteResult,
    CodeReviewExecuteResult,
    InfrastructureExecuteResult,
    CicdExecuteResult,
    DocumentationExecuteResult,
  ])
  .meta({ id: "ExecuteResult" });
export type ExecuteResult = z.infer<typeof ExecuteResult>;

/** Each agent's result schema, by agent type: what its `/capabilities` advertises as `output_schema`. */
export const EXECUTE_RESULTS = {
  "feature-dev": FeatureDevExecuteResult,
  "code-review": CodeReviewExecuteResult,
  infrastructure: InfrastructureExecuteResult,
  cicd: CicdExecuteResult,
  documentation: DocumentationExecuteResult,
} as const satisfies Record<AgentType, z.ZodType>;

/** The result of agent `Type`. */
export type ExecuteResultOf<Type extends AgentType> = Extract<ExecuteResult, { agent_type: Type }>;

export const Capabilities = z
  .object({
    name: AgentType,
    version: z.string(),
    description: z.string(),
    skills: z.array(z.string()),
    input_schema: z.record(z.string(), z.unknown()),
    output_schema: z
      .record(z.string(), z.unknown())
      .meta({ description: "The JSON Schema of this agent's execute result, its structured `output` included." }),
  })
  .meta({ id: "Capabilities", description: "What an agent does and the JSON schemas of its input and output." });
export type Capabilities = z.infer<typeof Capabilities>;
