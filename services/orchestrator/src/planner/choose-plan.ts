import type { Planner, PlannerChoice } from "@devtools/contracts/planning";
import type { InferenceClient } from "@devtools/inference/client";
import type { Logger } from "@devtools/service-kit/logger";
import { planWithModel } from "./llm-planner.ts";
import { type Plan, planTask } from "./plan-task.ts";

export interface ChosenPlan {
  plan: Plan;
  planner: Planner;
  /** Why the rules planned it when the model was asked to; null otherwise. */
  note: string | null;
}

export interface PlanningContext {
  /** Undefined when no inference backend is configured. */
  inference: InferenceClient | undefined;
  logger: Logger;
  /** Aborts the model call when the caller goes away. */
  signal?: AbortSignal;
  timeoutMs: number;
}

/**
 * Plans with the planner a request chose. The model plans for `llm`, and for `auto` when a backend
 * is configured; whatever goes wrong with it (backend down, timeout, an answer that is still not a
 * valid DAG after its repair round), the rules plan instead and the task says why. A request is
 * never refused because the model failed.
 */
export async function choosePlan(
  description: string,
  choice: PlannerChoice,
  context: PlanningContext,
): Promise<ChosenPlan> {
  if (choice === "rules" || (choice === "auto" && !context.inference)) {
    return { plan: planTask(description), planner: "rules", note: null };
  }
  if (!context.inference) {
    return { plan: planTask(description), planner: "rules", note: "no inference backend is configured" };
  }
  try {
    const plan = await planWithModel(context.inference, description, {
      ...(context.signal ? { signal: context.signal } : {}),
      timeoutMs: context.timeoutMs,
    });
    return { plan, planner: "llm", note: null };
  } catch (error) {
    context.signal?.throwIfAborted();
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.warn({ err: error }, "model planning failed; the rules plan instead");
    return {
      plan: planTask(description),
      planner: "rules",
      note: `the model could not plan: ${reason}`.slice(0, 1_000),
    };
  }
}
