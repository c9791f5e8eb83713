import { CicdOutput, DocumentationOutput, InfrastructureOutput } from "@devtools/contracts/agent-outputs";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { RunningService } from "@devtools/service-kit/serve";
import { type AgentDefinition, defineAgent } from "../../src/agent.ts";
import { composeProblems } from "../../src/checks/compose.ts";
import { dockerfileProblems } from "../../src/checks/dockerfile.ts";
import { contentProblems } from "../../src/checks/entries.ts";
import { pathProblems } from "../../src/checks/paths.ts";
import { workflowProblems } from "../../src/checks/workflow.ts";
import { startAgent } from "../../src/start.ts";

/**
 * An agent without checks beyond its schema, for tests of the runtime itself: the simulator's
 * answers always match a schema, while what it writes inside a file is prose or a snippet that real
 * parsers may well reject.
 */
export const plainAgent = defineAgent({
  type: "documentation",
  description: "Writes Markdown documents (test definition).",
  skills: ["markdown"],
  system: "You are a test documentation agent.",
  instructions: "Write the documents the subtask asks for.",
  output: DocumentationOutput,
  present: (output) => ({
    summary: `Wrote ${output.documents.length} documents.`,
    artifacts: output.documents.map(({ path, content }) => ({ path, kind: "markdown", content })),
  }),
});

/** An infrastructure agent as the runtime sees one: Dockerfiles and Compose files checked by their parsers. */
export const infrastructureAgent = defineAgent({
  type: "infrastructure",
  description: "Writes Dockerfiles and Compose files (test definition).",
  skills: ["dockerfile", "docker-compose"],
  system: "You are a test infrastructure agent.",
  instructions: "Write the files the subtask asks for.",
  output: InfrastructureOutput,
  checks: [
    (output) => pathProblems("artifacts", output.artifacts),
    (output) =>
      contentProblems("artifacts", output.artifacts, (artifact) =>
        artifact.kind === "dockerfile" ? dockerfileProblems : artifact.kind === "compose" ? composeProblems : undefined,
      ),
  ],
  present: (output) => ({
    summary: `Wrote ${output.artifacts.length} files. ${output.notes}`,
    artifacts: output.artifacts.map(({ path, kind, content }) => ({ path, kind, content })),
  }),
});

/** A cicd agent whose workflows are checked by GitHub's parser. */
export const cicdAgent = defineAgent({
  type: "cicd",
  description: "Writes GitHub Actions workflows (test definition).",
  skills: ["github-actions"],
  system: "You are a test cicd agent.",
  instructions: "Write the workflows the subtask asks for.",
  output: CicdOutput,
  checks: [(output) => contentProblems("workflows", output.workflows, () => workflowProblems)],
  present: (output) => ({
    summary: `Wrote ${output.workflows.length} workflows.`,
    artifacts: output.workflows.map(({ path, content }) => ({ path, kind: "github-workflow", content })),
  }),
});

export interface TestAgent {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `definition` the way a service does (environment parsed, inference client connected,
 * served on a free port), pointed at `inferenceUrl`; no retries unless `env` says so.
 */
export async function startTestAgent<Type extends AgentType>(
  definition: AgentDefinition<Type>,
  inferenceUrl: string | undefined,
  env: Record<string, string> = {},
): Promise<TestAgent> {
  const running: RunningService = await startAgent(definition, "0.0.0-test", {
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      INFERENCE_MAX_RETRIES: "0",
      // fetch keeps a spare connection open for 4 s after a request is aborted; server.close() would wait for it.
      SHUTDOWN_TIMEOUT_MS: "500",
      ...(inferenceUrl ? { INFERENCE_BASE_URL: inferenceUrl } : {}),
      ...env,
    },
    handleSignals: false,
  });
  return { url: `http://127.0.0.1:${running.port}`, stop: () => running.shutdown("test over") };
}
