import { agentFuzzSuite, fuzzRuns } from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, it } from "vitest";

const suite = agentFuzzSuite("documentation", {
  runs: fuzzRuns(1_000),
  description: "Document the authentication API in a README",
});

describe(suite.title, () => {
  beforeAll(suite.setUp, 60_000);
  afterAll(suite.tearDown);
  for (const test of suite.tests) it(test.title, { timeout: test.timeoutMs }, test.run);
});
