import type { AgentDefinition } from "@devtools/agent-runtime/agent";

export const definition: AgentDefinition = {
  type: "documentation",
  description: "Writes Markdown documentation: guides, API references, runbooks.",
  skills: ["markdown", "api-reference", "guides", "runbooks", "changelogs"],
};
