import { describeAgent } from "@devtools/agent-runtime/testing/agent-suite";
import { expect } from "vitest";
import { start } from "../src/start.ts";

describeAgent("documentation", {
  start,
  description: "Document the authentication API in a README",
  outputField: "documents",
  expectArtifacts: (result) => {
    expect(result.artifacts.every((artifact) => artifact.path.endsWith(".md"))).toBe(true);
  },
});
