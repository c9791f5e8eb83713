import { describeAgent } from "@devtools/agent-runtime/testing/agent-suite";
import { expect } from "vitest";
import { start } from "../src/start.ts";

describeAgent("code-review", {
  start,
  description: "Review the authentication middleware for security issues",
  outputField: "findings",
  expectArtifacts: (result) => {
    expect(result.artifacts[0]).toMatchObject({ path: "code-review.md", kind: "review" });
    expect(result.summary.length).toBeGreaterThan(0);
  },
});
