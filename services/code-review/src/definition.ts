import type { AgentDefinition } from "@devtools/agent-runtime/agent";

export const definition: AgentDefinition = {
  type: "code-review",
  description: "Reviews code and reports findings with severity, location and a suggested fix.",
  skills: ["correctness", "security", "performance", "maintainability", "test-coverage"],
};
