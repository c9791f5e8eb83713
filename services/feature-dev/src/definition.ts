import type { AgentDefinition } from "@devtools/agent-runtime/agent";

export const definition: AgentDefinition = {
  type: "feature-dev",
  description: "Generates application code as new files or patches, with tests.",
  skills: ["typescript", "python", "go", "rest-apis", "authentication", "tests", "refactoring"],
};
