import { agentFuzzSuite, fuzzRuns } from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, it } from "vitest";

const suite = agentFuzzSuite("infrastructure", {
  runs: fuzzRuns(1_000),
  description: "Containerize the service with a Dockerfile",
});

describe(suite.title, () => {
  beforeAll(suite.setUp, 60_000);
  afterAll(suite.tearDown);
  for (const test of suite.tests) it(test.title, { timeout: test.timeoutMs }, test.run);
});
