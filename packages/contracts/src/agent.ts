import { z } from "zod";
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

export const ExecuteResult = z
  .object({
    subtask_id: z.uuid(),
    agent_type: AgentType,
    summary: z.string(),
    artifacts: z.array(Artifact),
    usage: TokenUsage,
  })
  .meta({ id: "ExecuteResult" });
export type ExecuteResult = z.infer<typeof ExecuteResult>;

export const Capabilities = z
  .object({
    name: AgentType,
    version: z.string(),
    description: z.string(),
    skills: z.array(z.string()),
    input_schema: z.record(z.string(), z.unknown()),
    output_schema: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "Capabilities", description: "What an agent does and the JSON schemas of its input and output." });
export type Capabilities = z.infer<typeof Capabilities>;
