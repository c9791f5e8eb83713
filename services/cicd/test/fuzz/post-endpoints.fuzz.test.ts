import { agentFuzzSuite, fuzzRuns } from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, it } from "vitest";

const suite = agentFuzzSuite("cicd", {
  runs: fuzzRuns(1_000),
  description: "Create a GitHub Actions workflow that runs the tests on every pull request",
});

describe(suite.title, () => {
  beforeAll(suite.setUp, 60_000);
  afterAll(suite.tearDown);
  for (const test of suite.tests) it(test.title, { timeout: test.timeoutMs }, test.run);
});
