import type { AgentType } from "@devtools/contracts/agent-type";
import { describe, expect, it } from "vitest";
import { planTask } from "../src/planner/plan-task.ts";

const sequentialIds = () => {
  let next = 0;
  return () => `00000000-0000-4000-8000-${String(++next).padStart(12, "0")}`;
};

/** Agents in plan order, and which agents each depends on, for a compact table. */
function shape(description: string) {
  const plan = planTask(description, sequentialIds());
  const agentOf = new Map(plan.subtasks.map((subtask) => [subtask.id, subtask.agentType]));
  return {
    agents: plan.subtasks.map((subtask) => subtask.agentType),
    dependencies: Object.fromEntries(
      plan.subtasks.map((subtask) => [subtask.agentType, subtask.dependsOn.map((id) => agentOf.get(id))]),
    ),
    stages: plan.routingPlan.stages.map((stage) => stage.map((id) => agentOf.get(id))),
  };
}

const REQUESTS: { description: string; agents: AgentType[] }[] = [
  {
    description: "Deploy new API endpoint with authentication",
    agents: ["feature-dev", "infrastructure", "code-review", "cicd", "documentation"],
  },
  { description: "Add pagination to the /users endpoint", agents: ["feature-dev", "code-review"] },
  { description: "Review the payment module for security vulnerabilities", agents: ["code-review"] },
  { description: "Write a Dockerfile and a Kubernetes deployment for the worker", agents: ["infrastructure"] },
  { description: "Set up a GitHub Actions pipeline that runs the tests on every pull request", agents: ["cicd"] },
  { description: "Update the README with setup instructions", agents: ["documentation"] },
  { description: "Provision a Terraform VPC and Postgres cluster on DigitalOcean", agents: ["infrastructure"] },
  { description: "Make it faster", agents: ["feature-dev", "code-review"] },
  {
    description:
      "Implement OAuth login. Then containerize it with Docker; add a release workflow and document the API.",
    agents: ["feature-dev", "infrastructure", "code-review", "cicd", "documentation"],
  },
  { description: "Fix the race condition in the job scheduler", agents: ["feature-dev", "code-review"] },
  { description: "Write unit tests for the billing module", agents: ["feature-dev", "code-review"] },
  { description: "Review the auth code in this pull request", agents: ["code-review"] },
];

describe("planTask", () => {
  it.each(REQUESTS)("plans $description", ({ description, agents }) => {
    expect(shape(description).agents.toSorted()).toEqual(agents.toSorted());
  });

  it("plans the deployment guide's example as three stages: code and infrastructure, review and pipeline, docs", () => {
    const { stages, dependencies } = shape("Deploy new API endpoint with authentication");
    expect(stages).toEqual([["feature-dev", "infrastructure"], ["code-review", "cicd"], ["documentation"]]);
    expect(dependencies["code-review"]).toEqual(["feature-dev"]);
    expect(dependencies.cicd).toEqual(["feature-dev", "infrastructure"]);
    expect(dependencies.documentation).toEqual(["feature-dev", "code-review", "infrastructure", "cicd"]);
  });

  it.each(REQUESTS)("gives a topological execution order for $description", ({ description }) => {
    const plan = planTask(description);
    const position = new Map(plan.routingPlan.execution_order.map((id, index) => [id, index]));
    expect(position.size).toBe(plan.subtasks.length);
    for (const subtask of plan.subtasks) {
      for (const dependency of subtask.dependsOn) {
        expect(position.get(dependency)).toBeLessThan(position.get(subtask.id) as number);
      }
      expect(subtask.stage).toBe(plan.routingPlan.stages.findIndex((stage) => stage.includes(subtask.id)));
    }
    expect(plan.routingPlan.stages.flat().toSorted()).toEqual(plan.routingPlan.execution_order.toSorted());
  });

  it("is deterministic: the same request gives the same plan", () => {
    const description = "Implement rate limiting for the public API and deploy it to Kubernetes";
    expect(planTask(description, sequentialIds())).toEqual(planTask(description, sequentialIds()));
  });

  it("estimates tokens as the sum of its subtasks' and duration along the critical path", () => {
    const plan = planTask("Deploy new API endpoint with authentication");
    expect(plan.estimatedTokens).toBe(plan.subtasks.reduce((sum, subtask) => sum + subtask.estimatedTokens, 0));
    expect(plan.estimatedTokens).toBeGreaterThan(0);
    expect(plan.routingPlan.estimated_duration_minutes).toBeGreaterThanOrEqual(1);
    const critical = plan.routingPlan.critical_path;
    expect(critical.length).toBe(plan.routingPlan.stages.length);
    expect(plan.subtasks.find((subtask) => subtask.id === critical.at(-1))?.agentType).toBe("documentation");
  });

  it("gives each agent the clauses that concern it when a request has several parts", () => {
    const plan = planTask("Add a /health endpoint. Write a Helm chart for the service.");
    const infrastructure = plan.subtasks.find((subtask) => subtask.agentType === "infrastructure");
    expect(infrastructure?.description).toContain("Helm chart");
    expect(infrastructure?.description).toContain("Kubernetes");
    expect(infrastructure?.description).not.toContain("/health endpoint");
  });
});
