import { describeAgent } from "@devtools/agent-runtime/testing/agent-suite";
import { expect } from "vitest";
import { start } from "../src/start.ts";

describeAgent("infrastructure", {
  start,
  description: "Containerize the service with a Dockerfile",
  outputField: "artifacts",
  expectArtifacts: (result) => {
    expect(result.artifacts).toEqual(result.output.artifacts);
  },
});
