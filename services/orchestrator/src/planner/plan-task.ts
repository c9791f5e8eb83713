import { randomUUID } from "node:crypto";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import type { RoutingPlan } from "@devtools/contracts/task";
import { estimateMinutes, estimateTokens } from "./estimates.ts";
import { layOut } from "./graph.ts";
import { agentsSignalled, clausesOf, infrastructureTargets, mentionsPublicSurface } from "./intents.ts";

export interface PlannedSubtask {
  id: string;
  agentType: AgentType;
  description: string;
  dependsOn: string[];
  stage: number;
  position: number;
  estimatedTokens: number;
}

export interface Plan {
  subtasks: PlannedSubtask[];
  routingPlan: RoutingPlan;
  estimatedTokens: number;
}

/**
 * Which agent's work each agent builds on. Code before its review; infrastructure and code before
 * the pipeline that builds and deploys them; documentation last, describing everything else.
 */
const UPSTREAM: Record<AgentType, readonly AgentType[]> = {
  "feature-dev": [],
  "code-review": ["feature-dev"],
  infrastructure: [],
  cicd: ["feature-dev", "infrastructure"],
  documentation: ["feature-dev", "code-review", "infrastructure", "cicd"],
};

function chooseAgents(description: string, clauses: readonly string[]): Set<AgentType> {
  const agents = new Set<AgentType>();
  for (const clause of clauses) for (const agent of agentsSignalled(clause)) agents.add(agent);
  // Code that gets written gets reviewed; a request that names nothing is a coding request.
  if (agents.has("feature-dev")) agents.add("code-review");
  if (agents.has("feature-dev") && agents.has("infrastructure") && mentionsPublicSurface(description)) {
    agents.add("documentation");
  }
  if (agents.size === 0) agents.add("feature-dev").add("code-review");
  return agents;
}

function focusFor(agent: AgentType, description: string, clauses: readonly string[]): string {
  const own = clauses.filter((clause) => agentsSignalled(clause).has(agent));
  return own.length > 0 && own.length < clauses.length ? own.join("; ") : description;
}

function describe(agent: AgentType, description: string, clauses: readonly string[], agents: Set<AgentType>): string {
  const focus = focusFor(agent, description, clauses);
  switch (agent) {
    case "feature-dev":
      return `Write the application code (new files or patches, with tests) for: ${focus}`;
    case "code-review":
      return agents.has("feature-dev")
        ? `Review the code written for "${focus}" for correctness, security and maintainability; report findings with severity, location and a suggested fix`
        : `Review the existing code for: ${focus}; report findings with severity, location and a suggested fix`;
    case "infrastructure":
      return `Write the infrastructure as code (${infrastructureTargets(description).join(", ")}) to run: ${focus}`;
    case "cicd":
      return `Write the GitHub Actions workflow that builds, tests and deploys: ${focus}`;
    case "documentation":
      return agents.size > 1
        ? `Document the result of "${description}": usage, configuration and operations, from the other subtasks' output`
        : `Write the documentation for: ${focus}`;
  }
}

/**
 * Deterministic, rule-based decomposition of a request into subtasks for the five agents, with
 * dependencies between them and the routing plan that runs them. The same description always gives
 * the same plan, up to the ids `newId` makes.
 */
export function planTask(description: string, newId: () => string = randomUUID): Plan {
  const clauses = clausesOf(description);
  const agents = chooseAgents(description, clauses);
  const chosen = AGENT_TYPES.filter((agent) => agents.has(agent));
  const idOf = new Map(chosen.map((agent) => [agent, newId()] as const));
  // Canonical order puts every agent after the agents it builds on.
  const order = [...chosen].sort((a, b) => depth(a) - depth(b) || AGENT_TYPES.indexOf(a) - AGENT_TYPES.indexOf(b));
  const drafts = order.map((agent) => {
    const upstream = UPSTREAM[agent].filter((dependency) => agents.has(dependency));
    const text = describe(agent, description, clauses, agents);
    return {
      id: idOf.get(agent) as string,
      agentType: agent,
      description: text,
      upstream,
      dependsOn: upstream.map((dependency) => idOf.get(dependency) as string),
      minutes: estimateMinutes(agent),
      estimatedTokens: estimateTokens(agent, text, upstream),
    };
  });
  return assemblePlan(drafts);
}

/** A subtask before layout: its dependencies named by id, listed after the subtasks it depends on. */
export interface DraftSubtask {
  id: string;
  agentType: AgentType;
  description: string;
  dependsOn: string[];
  minutes: number;
  estimatedTokens: number;
}

/** Stages, execution order, critical path and totals of drafts given dependencies-first. */
export function assemblePlan(drafts: readonly DraftSubtask[]): Plan {
  const layout = layOut(drafts);
  const position = new Map(layout.executionOrder.map((id, index) => [id, index]));
  const subtasks = drafts
    .map(
      (draft): PlannedSubtask => ({
        id: draft.id,
        agentType: draft.agentType,
        description: draft.description,
        dependsOn: draft.dependsOn,
        stage: layout.stageOf.get(draft.id) as number,
        position: position.get(draft.id) as number,
        estimatedTokens: draft.estimatedTokens,
      }),
    )
    .sort((a, b) => a.position - b.position);
  return {
    subtasks,
    routingPlan: {
      execution_order: layout.executionOrder,
      stages: layout.stages,
      critical_path: layout.criticalPath,
      estimated_duration_minutes: Math.max(1, Math.ceil(layout.minutes)),
    },
    estimatedTokens: subtasks.reduce((sum, subtask) => sum + subtask.estimatedTokens, 0),
  };
}

function depth(agent: AgentType): number {
  const upstream = UPSTREAM[agent];
  return upstream.length === 0 ? 0 : 1 + Math.max(...upstream.map(depth));
}
