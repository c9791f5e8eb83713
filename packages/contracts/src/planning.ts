import { z } from "zod";
import { AgentType } from "./agent-type.ts";

export const PLANNERS = ["rules", "llm"] as const;
/** Which planner made a task's plan. */
export const Planner = z.enum(PLANNERS).meta({ id: "Planner" });
export type Planner = z.infer<typeof Planner>;

/** Which planner a request asks for: `auto` uses the model when a backend is configured. */
export const PlannerChoice = z.enum(["auto", "llm", "rules"]).meta({
  id: "PlannerChoice",
  description:
    "`rules`: the deterministic planner. `llm`: the model decomposes the request. `auto` (default): the model when an inference backend is configured, else the rules. Any model failure falls back to the rules.",
});
export type PlannerChoice = z.infer<typeof PlannerChoice>;

/** Longest plan the model may propose. */
export const MAX_PLANNED_SUBTASKS = 8;

/**
 * What the model answers when asked to plan (structured output). Dependencies are indices of
 * earlier subtasks, so a plan that keeps that rule is a DAG in a valid order by construction.
 */
export const PlanDraft = z
  .object({
    subtasks: z
      .array(
        z.object({
          agent_type: AgentType,
          description: z
            .string()
            .min(1)
            .max(2_000)
            .meta({ description: "What this agent must do, in one or two sentences." }),
          depends_on: z
            .array(
              z
                .number()
                .int()
                .min(0)
                .max(MAX_PLANNED_SUBTASKS - 1),
            )
            .max(MAX_PLANNED_SUBTASKS - 1)
            .meta({ description: "0-based indices of earlier subtasks in this list whose output this one needs." }),
        }),
      )
      .min(1)
      .max(MAX_PLANNED_SUBTASKS),
  })
  .meta({ id: "PlanDraft", description: "A decomposition of a request into subtasks for the specialist agents." });
export type PlanDraft = z.infer<typeof PlanDraft>;
