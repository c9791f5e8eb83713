import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidModelOutputError } from "../src/errors.ts";
import { strictJsonSchema } from "../src/json-schema.ts";
import { parseAnswer, structuredFormat } from "../src/structured-output.ts";
import { completion, type FakeBackend, type ReceivedRequest, sendJson, startFakeBackend } from "./fake-backend.ts";
import { metricValue, testClient, testConfig } from "./support.ts";

const Finding = z.object({
  title: z.string().describe("one line"),
  severity: z.enum(["low", "high"]),
  line: z.number().int().optional(),
  tags: z.array(z.string()).default([]),
  note: z.string().nullable().optional(),
});

const Review = z.object({ findings: z.array(Finding), meta: z.record(z.string(), z.string()) });

describe("strictJsonSchema", () => {
  it("closes every object and requires every property, optional ones as nullable", () => {
    expect(strictJsonSchema(Finding)).toEqual({
      type: "object",
      properties: {
        title: { type: "string", description: "one line" },
        severity: { type: "string", enum: ["low", "high"] },
        line: { type: ["integer", "null"], minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
        tags: { type: ["array", "null"], items: { type: "string" }, default: [] },
        note: { type: ["string", "null"] },
      },
      required: ["title", "severity", "line", "tags", "note"],
      additionalProperties: false,
    });
  });

  it("wraps a property that cannot simply add null to its type in anyOf", () => {
    const schema = strictJsonSchema(z.object({ level: z.enum(["a", "b"]).optional(), size: z.literal(3).optional() }));

    expect(schema.properties).toEqual({
      level: { anyOf: [{ type: "string", enum: ["a", "b"] }, { type: "null" }] },
      size: { anyOf: [{ type: "number", const: 3 }, { type: "null" }] },
    });
  });

  it("closes nested objects but keeps a record's value schema", () => {
    const schema = strictJsonSchema(Review) as {
      properties: { findings: { items: { additionalProperties: unknown } }; meta: { additionalProperties: unknown } };
    };

    expect(schema.properties.findings.items.additionalProperties).toBe(false);
    expect(schema.properties.meta).toEqual({ type: "object", additionalProperties: { type: "string" } });
  });
});

describe("parseAnswer", () => {
  it("accepts a valid answer and fills zod defaults", async () => {
    const result = await parseAnswer('{"title":"t","severity":"low"}', Finding);

    expect(result).toEqual({ ok: true, value: { title: "t", severity: "low", tags: [] } });
  });

  it("reads null as absent where strict mode made the model write one", async () => {
    const result = await parseAnswer('{"title":"t","severity":"high","line":null,"tags":null,"note":null}', Finding);

    expect(result).toEqual({ ok: true, value: { title: "t", severity: "high", tags: [], note: null } });
  });

  it("reads null as absent for optional enums and literals too, and keeps a null zod rejects where a value is required", async () => {
    const schema = z.object({ level: z.enum(["a", "b"]).optional(), size: z.literal(3).optional(), name: z.string() });

    expect(await parseAnswer('{"level":null,"size":null,"name":"n"}', schema)).toEqual({
      ok: true,
      value: { name: "n" },
    });
    const rejected = await parseAnswer('{"level":null,"size":null,"name":null}', schema);
    expect(!rejected.ok && rejected.issues.map((issue) => issue.path)).toEqual(["level", "size", "name"]);
  });

  it("reports bad JSON as one issue on the whole answer", async () => {
    const result = await parseAnswer('{"title": "t", ', Finding);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]?.path).toBe("");
    expect(!result.ok && result.issues[0]?.message).toMatch(/^not valid JSON/);
  });

  it("names the path of each schema error", async () => {
    const result = await parseAnswer('{"findings":[{"title":1,"severity":"mid"}],"meta":{}}', Review);

    expect(!result.ok && result.issues.map((issue) => issue.path)).toEqual([
      "findings[0].title",
      "findings[0].severity",
    ]);
  });

  it("strips a Markdown fence around the JSON", async () => {
    const result = await parseAnswer('```json\n{"title":"t","severity":"low"}\n```', Finding);

    expect(result.ok).toBe(true);
  });

  it("runs the check hook on a value the schema accepted", async () => {
    const result = await parseAnswer('{"title":"t","severity":"low"}', Finding, (value) =>
      value.title.length < 3 ? ["title: too short", { path: "severity", message: "low is not allowed" }] : [],
    );

    expect(result).toEqual({
      ok: false,
      issues: [
        { path: "", message: "title: too short" },
        { path: "severity", message: "low is not allowed" },
      ],
    });
  });
});

describe("structuredFormat", () => {
  it("computes the schema text once, so that every call sends the same bytes", () => {
    const first = structuredFormat(Finding, "finding");

    expect(structuredFormat(Finding, "finding")).toBe(first);
    expect(first.responseFormat).toEqual({
      type: "json_schema",
      json_schema: { name: "finding", schema: strictJsonSchema(Finding), strict: true },
    });
  });

  it("refuses a name the OpenAI API would reject", () => {
    expect(() => structuredFormat(Finding, "a finding")).toThrow(/letters, digits/);
  });
});

describe("generateObject against a scripted backend", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(answers: string[]) {
    const backend: FakeBackend = await startFakeBackend((_request, response, index) =>
      sendJson(response, 200, completion(answers[Math.min(index, answers.length - 1)] ?? "")),
    );
    const made = testClient(testConfig([backend.url]));
    cleanups.push(
      () => backend.close(),
      () => made.client.close(),
    );
    return { backend, ...made };
  }

  const request = {
    schema: Finding,
    name: "finding",
    system: "You review code.",
    instructions: "Report the worst problem.",
    input: { title: "Diff", content: "- a\n+ b" },
  };
  const messagesOf = (received: ReceivedRequest | undefined) =>
    received?.body.messages as { role: string; content: string }[];

  it("sends the schema as a strict json_schema response format and returns the validated value", async () => {
    const { backend, client } = await setUp(['{"title":"SQL injection","severity":"high","line":3}']);

    const result = await client.generateObject(request);

    expect(result).toMatchObject({
      value: { title: "SQL injection", severity: "high", line: 3, tags: [] },
      repaired: false,
      usage: { promptTokens: 11, completionTokens: 7 },
    });
    expect(backend.received[0]?.body.response_format).toEqual(structuredFormat(Finding, "finding").responseFormat);
    const [system, user] = messagesOf(backend.received[0]);
    expect(system?.content).toMatch(
      /^You review code\.\n\nAnswer with one JSON object[\s\S]*Report the worst problem\.$/,
    );
    expect(user?.content).toBe("## Diff\n\n- a\n+ b");
  });

  it("repairs an invalid answer once, showing the model its answer and the errors", async () => {
    const { backend, client, registry } = await setUp([
      '{"title": "x", "severity": "medium"',
      '{"title":"x","severity":"low"}',
    ]);

    const result = await client.generateObject(request);

    expect(result).toMatchObject({ value: { title: "x", severity: "low" }, repaired: true, attempts: 2 });
    expect(result.usage.promptTokens).toBe(22);
    const repair = messagesOf(backend.received[1]);
    expect(repair.slice(0, 2)).toEqual(messagesOf(backend.received[0]));
    expect(repair[2]).toEqual({ role: "assistant", content: '{"title": "x", "severity": "medium"' });
    expect(repair[3]?.content).toMatch(/^Your previous answer is not valid:\n- \(the whole answer\): not valid JSON/);
    expect(
      await metricValue(registry, "inference_structured_repairs_total", { model: "test-model", outcome: "repaired" }),
    ).toBe(1);
  });

  it("reports each round and its usage to the caller's hooks, also when the call fails", async () => {
    const { client } = await setUp(['{"title":"x","severity":"medium"}']);
    const seen: string[] = [];

    await client
      .generateObject(request, {
        onRound: (round) => seen.push(`round ${round}`),
        onAnswer: (usage) => seen.push(`answered ${usage.promptTokens}`),
      })
      .catch(() => {});

    expect(seen).toEqual(["round 1", "answered 11", "round 2", "answered 11"]);
  });

  it("fails with InvalidModelOutputError after one repair, without retrying", async () => {
    const { backend, client } = await setUp(['{"title":"x","severity":"medium"}']);

    const error = await client.generateObject(request).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InvalidModelOutputError);
    expect(error).toMatchObject({
      schemaName: "finding",
      retryable: false,
      issues: [{ path: "severity", message: expect.stringContaining("low") }],
      output: '{"title":"x","severity":"medium"}',
    });
    expect(backend.received).toHaveLength(2);
  });

  it("lets the check hook's problems take part in the same single repair round", async () => {
    const { backend, client } = await setUp([
      '{"title":"ok","severity":"low"}',
      '{"title":"longer title","severity":"low"}',
    ]);
    const checked: string[] = [];

    const result = await client.generateObject({
      ...request,
      check: (value) => {
        checked.push(value.title);
        return value.title.length < 5 ? [{ path: "title", message: "must be at least 5 characters" }] : [];
      },
    });

    expect(result).toMatchObject({ value: { title: "longer title" }, repaired: true });
    expect(checked).toEqual(["ok", "longer title"]);
    expect(messagesOf(backend.received[1])[3]?.content).toContain("- title: must be at least 5 characters");
  });

  it("lays out two calls with different inputs so that they share a byte-identical prefix", async () => {
    const { backend, client } = await setUp(['{"title":"x","severity":"low"}']);

    await client.generateObject({ ...request, input: [{ title: "Subtask", content: "Add a Dockerfile" }] });
    await client.generateObject({
      ...request,
      input: [
        { title: "Subtask", content: "Write the CI workflow" },
        { title: "Upstream results", content: { files: ["Dockerfile"] } },
      ],
    });

    const [first, second] = backend.received.map((received) => JSON.stringify(received.body.messages));
    const system = messagesOf(backend.received[0])[0]?.content ?? "";
    const shared = JSON.stringify([
      { role: "system", content: system },
      { role: "user", content: "## Subtask\n\n" },
    ]).slice(0, -4);
    expect(system.length).toBeGreaterThan(100);
    expect(first?.startsWith(shared)).toBe(true);
    expect(second?.startsWith(shared)).toBe(true);
    expect(first).not.toBe(second);
  });
});
