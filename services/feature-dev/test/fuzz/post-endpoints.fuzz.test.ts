import { agentFuzzSuite, fuzzRuns } from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, it } from "vitest";

const suite = agentFuzzSuite("feature-dev", {
  runs: fuzzRuns(1_000),
  description: "Implement rate limiting middleware in TypeScript",
});

describe(suite.title, () => {
  beforeAll(suite.setUp, 60_000);
  afterAll(suite.tearDown);
  for (const test of suite.tests) it(test.title, { timeout: test.timeoutMs }, test.run);
});
