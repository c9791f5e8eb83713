import { z } from "zod";

/** The five specialist agents, in the order a plan usually runs them. */
export const AGENT_TYPES = ["feature-dev", "code-review", "infrastructure", "cicd", "documentation"] as const;

export const AgentType = z.enum(AGENT_TYPES).meta({
  id: "AgentType",
  description: "Which specialist agent runs a subtask.",
});
export type AgentType = z.infer<typeof AgentType>;
