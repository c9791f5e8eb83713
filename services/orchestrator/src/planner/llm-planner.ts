import { randomUUID } from "node:crypto";
import { type PlanDraft, PlanDraft as PlanDraftSchema } from "@devtools/contracts/planning";
import type { InferenceClient } from "@devtools/inference/client";
import { estimateMinutes, estimateTokens } from "./estimates.ts";
import { assemblePlan, type Plan } from "./plan-task.ts";

// Static, so that every planning call shares one cached prefix on vLLM.
const SYSTEM = `You are the planner of devtools, a platform that runs engineering requests on five specialist agents:
- feature-dev: writes application code (new files or patches) with tests;
- code-review: reviews code for correctness, security and maintainability, and reports findings;
- infrastructure: writes infrastructure as code (Dockerfile, Docker Compose, Kubernetes, Terraform);
- cicd: writes GitHub Actions workflows that build, test and deploy;
- documentation: writes Markdown documentation from the other agents' output.
You decompose one request into the fewest subtasks that do it well, each for one agent.`;

const INSTRUCTIONS = `Rules:
- One subtask per distinct piece of work; do not invent work the request does not ask for or clearly need.
- Code that is written gets a code-review subtask that depends on it.
- A pipeline that deploys depends on the code and infrastructure it deploys; documentation comes last and depends on what it documents.
- depends_on lists 0-based indices of EARLIER subtasks in your list only; a subtask never depends on itself or a later one.
- Each description says concretely what that agent must produce for this request.`;

/** Problems with a draft that the schema cannot express: every dependency must point backwards. */
export function draftProblems(draft: PlanDraft): string[] {
  const problems: string[] = [];
  draft.subtasks.forEach((subtask, index) => {
    for (const dependency of subtask.depends_on) {
      if (dependency >= index) {
        problems.push(
          `subtasks[${index}].depends_on: ${dependency} is not an earlier subtask (use indices below ${index})`,
        );
      }
    }
    if (new Set(subtask.depends_on).size !== subtask.depends_on.length) {
      problems.push(`subtasks[${index}].depends_on: lists a subtask twice`);
    }
  });
  return problems;
}

/** A routing plan from a checked draft: ids, stages, critical path and estimates as the rule planner makes them. */
export function planFromDraft(draft: PlanDraft, newId: () => string = randomUUID): Plan {
  const ids = draft.subtasks.map(() => newId());
  return assemblePlan(
    draft.subtasks.map((subtask, index) => {
      const upstream = subtask.depends_on.flatMap((dependency) => draft.subtasks[dependency]?.agent_type ?? []);
      return {
        id: ids[index] as string,
        agentType: subtask.agent_type,
        description: subtask.description,
        dependsOn: subtask.depends_on.map((dependency) => ids[dependency] as string),
        minutes: estimateMinutes(subtask.agent_type),
        estimatedTokens: estimateTokens(subtask.agent_type, subtask.description, upstream),
      };
    }),
  );
}

/**
 * Asks the model to decompose `description` (structured output against PlanDraft), checks that the
 * dependencies form a DAG (one repair round shows the model what was wrong), and lays out the plan.
 * @throws the inference client's errors when the model cannot give a valid plan.
 */
export async function planWithModel(
  inference: InferenceClient,
  description: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Plan> {
  const { value } = await inference.generateObject(
    {
      schema: PlanDraftSchema,
      name: "plan_draft",
      system: SYSTEM,
      instructions: INSTRUCTIONS,
      input: { title: "Request", content: description },
      check: draftProblems,
      temperature: 0,
    },
    options,
  );
  return planFromDraft(value);
}
