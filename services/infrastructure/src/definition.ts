import { defineAgent } from "@devtools/agent-runtime/agent";
import { composeProblems } from "@devtools/agent-runtime/checks/compose";
import { dockerfileProblems } from "@devtools/agent-runtime/checks/dockerfile";
import { type ContentCheck, contentProblems } from "@devtools/agent-runtime/checks/entries";
import { kubernetesProblems } from "@devtools/agent-runtime/checks/kubernetes";
import { pathProblems } from "@devtools/agent-runtime/checks/paths";
import { paragraph, wrote } from "@devtools/agent-runtime/present";
import { type InfrastructureKind, InfrastructureOutput } from "@devtools/contracts/agent-outputs";

// No HCL parser is wired in yet: Terraform is checked by the schema only.
const CHECK_OF_KIND: Record<InfrastructureKind, ContentCheck | undefined> = {
  dockerfile: dockerfileProblems,
  compose: composeProblems,
  kubernetes: kubernetesProblems,
  terraform: undefined,
};

export const definition = defineAgent({
  type: "infrastructure",
  description: "Writes infrastructure as code: Dockerfiles, Compose files, Kubernetes manifests, Terraform.",
  skills: ["dockerfile", "docker-compose", "kubernetes", "terraform"],
  system: `You are the infrastructure agent of devtools, a platform that runs engineering requests on specialist agents.
You write infrastructure as code that is secure and reproducible: pinned image tags and versions, non-root users, health checks, resource limits, and no secrets in files.`,
  instructions: `How to answer:
- One artifact per file, its kind saying what it is:
  - dockerfile: a Dockerfile. FROM comes first (only ARG before it); prefer multi-stage builds, a pinned slim base, USER for a non-root user, and a HEALTHCHECK.
  - compose: a Compose file as the Compose Specification defines it: top-level services, networks, volumes, secrets; no "version" key.
  - kubernetes: one or more manifests separated by "---", each with apiVersion, kind and metadata.name; set resources, probes and a securityContext on workloads.
  - terraform: HCL, with variables for everything environment-specific.
- Paths are relative to the repository root and each appears once (Dockerfile, compose.yaml, deploy/k8s/api.yaml, infra/main.tf…).
- Take secrets from the environment, Kubernetes Secrets or Terraform variables; never write a secret's value.
- When upstream results contain application code, build and run exactly that code: its paths, ports and commands.
- In \`notes\`, say in a few sentences what you wrote, what you assumed and what is left for a human.`,
  output: InfrastructureOutput,
  checks: [
    (output) => pathProblems("artifacts", output.artifacts),
    (output) => contentProblems("artifacts", output.artifacts, (artifact) => CHECK_OF_KIND[artifact.kind]),
  ],
  present: (output) => ({
    summary: paragraph(
      wrote(
        "infrastructure file",
        output.artifacts.map((artifact) => `${artifact.path} [${artifact.kind}]`),
      ),
      output.notes,
    ),
    artifacts: output.artifacts.map(({ path, kind, content }) => ({ path, kind, content })),
  }),
});
