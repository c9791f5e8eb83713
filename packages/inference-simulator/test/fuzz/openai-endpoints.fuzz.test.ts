// This package does not depend on @devtools/testkit (the testkit runs it): the harness is reached by path.

import {
  type FuzzEndpoint,
  fc,
  fuzzEndpoint,
  fuzzRuns,
  type JsonSchema,
  type SimulatorProcess,
  send,
  startSimulatorProcess,
} from "@devtools/testkit/fuzz";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatCompletionRequest } from "../../src/routes/chat-completions/schema.ts";
import { completionRequest } from "../../src/routes/completions/schema.ts";
import { detokenizeRequest, tokenizeRequest } from "../../src/routes/tokenize/schema.ts";

const RUNS = fuzzRuns(1_500);

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
// Short answers keep thousands of generations cheap; the odd values still reach the checks.
const generation = {
  max_tokens: fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 48 }), fc.constant(2 ** 31)),
  n: fc.constantFrom(null, 1, 2, 0, -1),
  model: fc.constantFrom(null, "devtools-simulator", "no-such-model", ""),
};

// Every POST route the simulator serves (it has no OpenAPI document: these are vLLM's routes).
const ENDPOINTS: Record<string, FuzzEndpoint> = {
  "/v1/chat/completions": {
    path: "/v1/chat/completions",
    body: schemaOf(chatCompletionRequest),
    bodyOverrides: generation,
  },
  "/v1/completions": { path: "/v1/completions", body: schemaOf(completionRequest), bodyOverrides: generation },
  "/tokenize": { path: "/tokenize", body: schemaOf(tokenizeRequest), bodyOverrides: { model: generation.model } },
  "/detokenize": { path: "/detokenize", body: schemaOf(detokenizeRequest), bodyOverrides: { model: generation.model } },
};

describe("inference simulator POST endpoints under fuzzing", () => {
  let simulator: SimulatorProcess;
  let root: string;

  beforeAll(async () => {
    simulator = await startSimulatorProcess(["--max-model-len=4096"]);
    root = simulator.url.replace(/\/v1$/, "");
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  it.each(Object.keys(ENDPOINTS))(
    `POST %s: ${RUNS} generated and malformed bodies get 2xx or a vLLM-shaped 4xx, never a 5xx`,
    { timeout: 120_000 },
    async (path) => {
      const report = await fuzzEndpoint(root, { errorFormat: "vllm", ...(ENDPOINTS[path] as FuzzEndpoint) }, RUNS);
      expect(report.statuses[200]).toBeGreaterThan(0);
    },
  );

  it("is still healthy, and answers a valid chat completion, after the fuzzing", async () => {
    expect((await fetch(`${root}/health`)).status).toBe(200);
    const answer = await send(root, {
      kind: "valid",
      target: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "devtools-simulator",
        messages: [{ role: "user", content: "Say hello" }],
        max_tokens: 8,
      }),
    });
    expect(answer.status).toBe(200);
  });
});
