import { agentFuzzSuite, fuzzRuns } from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, it } from "vitest";

const suite = agentFuzzSuite("code-review", {
  runs: fuzzRuns(1_000),
  description: "Review the authentication middleware for security issues",
});

describe(suite.title, () => {
  beforeAll(suite.setUp, 60_000);
  afterAll(suite.tearDown);
  for (const test of suite.tests) it(test.title, { timeout: test.timeoutMs }, test.run);
});
