import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningSimulator } from "../src/server.ts";
import { clientFor, post, start, userMessage } from "./support.ts";

/** A contract in the style of the platform's agents, converted as they will convert it. */
const CodeReviewResult = z.object({
  task_id: z.uuid(),
  summary: z.string().min(20).max(400),
  findings: z
    .array(
      z.object({
        file: z.string(),
        line: z.int().min(1),
        severity: z.enum(["info", "low", "medium", "high", "critical"]),
        message: z.string(),
        suggestion: z.string().nullable(),
      }),
    )
    .min(1)
    .max(5),
  reviewed_at: z.iso.datetime(),
  reviewer: z.email(),
  score: z.number().min(0).max(10),
  approved: z.boolean(),
  labels: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).max(3),
  metadata: z.record(z.string(), z.union([z.string(), z.number()])),
  location: z.union([z.literal("inline"), z.object({ url: z.url() })]),
});

const REVIEW_PROMPT = "Review the rate limiter in src/middleware/rate-limit.ts for race conditions and missing tests";

async function reviewContent(simulator: RunningSimulator, prompt: string, seed?: number): Promise<string> {
  const completion = await clientFor(simulator).chat.completions.create({
    model: "devtools-simulator",
    messages: [
      { role: "system", content: "You are a code reviewer. Answer with JSON only." },
      { role: "user", content: prompt },
    ],
    response_format: {
      type: "json_schema",
      json_schema: { name: "code_review", strict: true, schema: z.toJSONSchema(CodeReviewResult) },
    },
    ...(seed === undefined ? {} : { seed }),
  });
  expect(completion.choices[0]?.finish_reason).toBe("stop");
  return completion.choices[0]?.message.content ?? "";
}

describe("structured output", () => {
  it("answers response_format json_schema (from z.toJSONSchema) with JSON the zod schema accepts", async () => {
    const simulator = await start({ tokensPerSecond: 50_000 });

    for (let seed = 0; seed < 10; seed++) {
      const content = await reviewContent(simulator, REVIEW_PROMPT, seed);
      const parsed = CodeReviewResult.safeParse(JSON.parse(content));
      expect(parsed.success, `${content}\n${parsed.error?.message}`).toBe(true);
    }
  });

  it("derives content from the prompt: mentioned files and words", async () => {
    const simulator = await start();

    const review = CodeReviewResult.parse(JSON.parse(await reviewContent(simulator, REVIEW_PROMPT, 1)));

    expect(review.findings.every((finding) => finding.file === "src/middleware/rate-limit.ts")).toBe(true);
    expect(review.summary).toMatch(/rate limiter|race|conditions|tests|middleware/i);
  });

  it("gives the same document for the same seed and prompt, and another for another prompt or seed", async () => {
    const simulator = await start({ tokensPerSecond: 50_000 });

    const first = await reviewContent(simulator, REVIEW_PROMPT, 42);
    const again = await reviewContent(simulator, REVIEW_PROMPT, 42);
    const otherPrompt = await reviewContent(simulator, "Review the Terraform module for the staging database", 42);
    const otherSeed = await reviewContent(simulator, REVIEW_PROMPT, 43);

    expect(again).toBe(first);
    expect(otherPrompt).not.toBe(first);
    expect(otherSeed).not.toBe(first);
  });

  it("accepts vLLM's structured_outputs.json and the legacy guided_json, also on /v1/completions", async () => {
    const simulator = await start();
    const schema = {
      type: "object",
      properties: { steps: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 2 } },
      required: ["steps"],
      additionalProperties: false,
    };
    const Steps = z.object({ steps: z.array(z.string()).length(2) }).strict();

    const structured = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("Plan the release"),
      structured_outputs: { json: schema },
    });
    const asString = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("Plan the release"),
      structured_outputs: { json: JSON.stringify(schema) },
    });
    const legacy = await post(simulator, "/v1/completions", {
      prompt: "Plan the release",
      max_tokens: 500,
      guided_json: schema,
    });

    type Chat = { choices: { message: { content: string } }[] };
    expect(Steps.safeParse(JSON.parse((structured.body as Chat).choices[0]?.message.content ?? "")).success).toBe(true);
    expect((asString.body as Chat).choices[0]?.message.content).toBe(
      (structured.body as Chat).choices[0]?.message.content,
    );
    const text = (legacy.body as { choices: { text: string }[] }).choices[0]?.text ?? "";
    expect(Steps.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it("answers json_object with a JSON object shaped like the example in the prompt", async () => {
    const simulator = await start();

    const completion = await clientFor(simulator).chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage(
        'List the services. Reply as JSON like {"services": [{"name": "gateway", "port": 8000}], "total": 1}',
      ),
      response_format: { type: "json_object" },
    });
    const document = JSON.parse(completion.choices[0]?.message.content ?? "");

    expect(
      z
        .object({ services: z.array(z.object({ name: z.string(), port: z.int() })).min(1), total: z.int() })
        .safeParse(document).success,
    ).toBe(true);
  });

  it("honours choice and regex constraints", async () => {
    const simulator = await start();

    const choice = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("Is this safe to deploy?"),
      structured_outputs: { choice: ["yes", "no", "needs review"] },
    });
    const regex = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("Give a ticket id"),
      structured_outputs: { regex: "[A-Z]{3}-[0-9]{2,4}" },
    });

    type Chat = { choices: { message: { content: string } }[] };
    expect(["yes", "no", "needs review"]).toContain((choice.body as Chat).choices[0]?.message.content);
    expect((regex.body as Chat).choices[0]?.message.content).toMatch(/^[A-Z]{3}-[0-9]{2,4}$/);
  });

  it("cuts a document at max_tokens with finish_reason length, as a real constrained decoder would", async () => {
    const simulator = await start();

    const completion = await clientFor(simulator).chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage(REVIEW_PROMPT),
      response_format: { type: "json_schema", json_schema: { name: "r", schema: z.toJSONSchema(CodeReviewResult) } },
      max_tokens: 10,
    });

    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(10);
    expect(() => JSON.parse(completion.choices[0]?.message.content ?? "")).toThrow();
  });
});
