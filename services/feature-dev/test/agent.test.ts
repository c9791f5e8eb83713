import { describeAgent } from "@devtools/agent-runtime/testing/agent-suite";
import { expect } from "vitest";
import { start } from "../src/start.ts";

describeAgent("feature-dev", {
  start,
  description: "Implement rate limiting middleware in TypeScript",
  outputField: "files",
  expectArtifacts: (result) => {
    expect(result.artifacts.map((artifact) => artifact.path)).toEqual(result.output.files.map((file) => file.path));
  },
});
