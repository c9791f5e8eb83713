import { describeAgent } from "@devtools/agent-runtime/testing/agent-suite";
import { expect } from "vitest";
import { start } from "../src/start.ts";

describeAgent("cicd", {
  start,
  description: "Create a GitHub Actions workflow that runs the tests on every pull request",
  outputField: "workflows",
  expectArtifacts: (result) => {
    expect(result.artifacts.every((artifact) => artifact.path.startsWith(".github/workflows/"))).toBe(true);
  },
});
