import type { AgentDefinition } from "@devtools/agent-runtime/agent";

export const definition: AgentDefinition = {
  type: "infrastructure",
  description: "Writes infrastructure as code: Dockerfiles, Compose files, Kubernetes manifests, Terraform.",
  skills: ["dockerfile", "docker-compose", "kubernetes", "terraform"],
};
