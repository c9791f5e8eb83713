import { z } from "zod";
import { PlannerChoice } from "./planning.ts";
import { Priority, Task } from "./task.ts";

/** Longest accepted request description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 20_000;

export const OrchestrateRequest = z
  .strictObject({
    description: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`)
      .meta({
        description: "The engineering request, in plain language.",
        example: "Deploy new API endpoint with authentication",
      }),
    priority: Priority.default("medium"),
    planner: PlannerChoice.default("auto"),
  })
  .meta({ id: "OrchestrateRequest" });
export type OrchestrateRequest = z.infer<typeof OrchestrateRequest>;

/** The deployment guide's answer (`task_id`, `subtasks`, `routing_plan`, `estimated_tokens`) is a subset of a task. */
export const OrchestrateResponse = Task;
export type OrchestrateResponse = Task;
