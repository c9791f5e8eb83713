import type { AgentDefinition } from "@devtools/agent-runtime/agent";

export const definition: AgentDefinition = {
  type: "cicd",
  description: "Writes GitHub Actions workflows that build, test, publish and deploy.",
  skills: ["github-actions", "container-builds", "registry-push", "deployments"],
};
