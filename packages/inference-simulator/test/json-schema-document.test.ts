import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generateDocument } from "../src/json-schema-document.ts";
import { Rng } from "../src/random.ts";
import { topicOf } from "../src/topic.ts";

const topic = topicOf("Add JWT authentication to the orders API in src/api/orders.ts and document it");

/** Hand-written schemas covering the keywords the generator claims to honour. */
const SCHEMAS: Record<string, Record<string, unknown>> = {
  "nested objects with required and optional properties": {
    type: "object",
    properties: {
      summary: { type: "string", minLength: 10, maxLength: 120 },
      files: {
        type: "array",
        minItems: 1,
        maxItems: 3,
        items: {
          type: "object",
          properties: { path: { type: "string" }, content: { type: "string" }, language: { type: "string" } },
          required: ["path", "content"],
          additionalProperties: false,
        },
      },
      notes: { type: "string" },
    },
    required: ["summary", "files"],
    additionalProperties: false,
  },
  "enums, consts, booleans, null and nullable types": {
    type: "object",
    properties: {
      severity: { type: "string", enum: ["info", "warning", "error"] },
      kind: { const: "review" },
      passed: { type: "boolean" },
      nothing: { type: "null" },
      maybe: { type: ["integer", "null"], minimum: 3, maximum: 7 },
    },
    required: ["severity", "kind", "passed", "nothing", "maybe"],
  },
  "numbers with bounds, exclusive bounds and multipleOf": {
    type: "object",
    properties: {
      confidence: { type: "number", minimum: 0, maximum: 1 },
      ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.5 },
      port: { type: "integer", minimum: 1024, maximum: 65535 },
      even: { type: "integer", multipleOf: 2, minimum: 11, maximum: 15 },
      step: { type: "number", multipleOf: 0.25, minimum: 1, maximum: 2 },
      negative: { type: "integer", maximum: -5 },
    },
    required: ["confidence", "ratio", "port", "even", "step", "negative"],
  },
  "string formats, patterns and lengths": {
    type: "object",
    properties: {
      id: { type: "string", format: "uuid" },
      email: { type: "string", format: "email" },
      created_at: { type: "string", format: "date-time" },
      day: { type: "string", format: "date" },
      homepage: { type: "string", format: "uri" },
      address: { type: "string", format: "ipv4" },
      slug: { type: "string", pattern: "^[a-z]+(-[a-z]+)*$" },
      ticket: { type: "string", pattern: "^[A-Z]{2,4}-\\d{1,5}$" },
      hex: { type: "string", pattern: "^#[0-9a-fA-F]{6}$" },
      code: { type: "string", minLength: 40 },
      short: { type: "string", maxLength: 3 },
    },
    required: ["id", "email", "created_at", "day", "homepage", "address", "slug", "ticket", "hex", "code", "short"],
  },
  "arrays: tuples, unique items and exact sizes": {
    type: "object",
    properties: {
      pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false, minItems: 2 },
      tags: {
        type: "array",
        items: { type: "string", enum: ["a", "b", "c"] },
        uniqueItems: true,
        minItems: 2,
        maxItems: 3,
      },
      exactly: { type: "array", items: { type: "number" }, minItems: 4, maxItems: 4 },
      empty: { type: "array", items: { type: "string" }, maxItems: 0 },
    },
    required: ["pair", "tags", "exactly", "empty"],
  },
  "anyOf, oneOf, allOf and maps": {
    type: "object",
    properties: {
      target: {
        anyOf: [
          {
            type: "object",
            properties: { url: { type: "string", format: "uri" } },
            required: ["url"],
            additionalProperties: false,
          },
          { type: "string", enum: ["local"] },
        ],
      },
      step: {
        oneOf: [
          { type: "object", properties: { run: { type: "string" } }, required: ["run"], additionalProperties: false },
          { type: "object", properties: { uses: { type: "string" } }, required: ["uses"], additionalProperties: false },
        ],
      },
      merged: {
        allOf: [
          { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
          { properties: { version: { type: "string" } }, required: ["version"] },
        ],
      },
      env: { type: "object", additionalProperties: { type: "string" }, minProperties: 1 },
    },
    required: ["target", "step", "merged", "env"],
  },
  "recursive $ref through $defs": {
    $defs: {
      node: {
        type: "object",
        properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
        required: ["name", "children"],
        additionalProperties: false,
      },
      count: { type: "integer", minimum: 0 },
    },
    type: "object",
    properties: { root: { $ref: "#/$defs/node" }, count: { $ref: "#/$defs/count" } },
    required: ["root", "count"],
  },
};

describe("generateDocument", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`produces documents that validate: ${name}`, () => {
      const validator = z.fromJSONSchema(schema);
      for (let seed = 0; seed < 40; seed++) {
        const document = generateDocument(schema, Rng.fromParts("test", seed), topic);
        const result = validator.safeParse(document);
        expect(result.success, `seed ${seed}: ${JSON.stringify(document)}\n${result.error?.message}`).toBe(true);
      }
    });
  }

  it("samples strings for the patterns zod emits, lookaheads included", () => {
    const zodSchema = z.object({
      duration: z.iso.duration(),
      time: z.iso.time(),
      phone: z.e164(),
      cuid: z.cuid(),
      ulid: z.ulid(),
      nanoid: z.nanoid(),
      host: z.ipv4(),
      semver: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/),
      alternation: z.string().regex(/^(feat|fix|chore)(\([a-z-]+\))?: [a-z ]{5,20}$/),
    });
    const schema = z.toJSONSchema(zodSchema);

    for (let seed = 0; seed < 40; seed++) {
      const document = generateDocument(schema, Rng.fromParts("patterns", seed), topic);
      const result = zodSchema.safeParse(document);
      expect(result.success, `seed ${seed}: ${JSON.stringify(document)}\n${result.error?.message}`).toBe(true);
    }
  });

  it("has a validator that can fail, so the checks above mean something", () => {
    const validator = z.fromJSONSchema(SCHEMAS["string formats, patterns and lengths"] ?? {});
    const valid = generateDocument(
      SCHEMAS["string formats, patterns and lengths"],
      Rng.fromParts("control"),
      topic,
    ) as Record<string, unknown>;

    expect(validator.safeParse(valid).success).toBe(true);
    expect(validator.safeParse({ ...valid, id: "not-a-uuid" }).success).toBe(false);
    expect(validator.safeParse({ ...valid, ticket: "ab-1" }).success).toBe(false);
    expect(validator.safeParse({ ...valid, short: "toolong" }).success).toBe(false);
  });

  it("reads OpenAPI's nullable and draft-07 definitions, which the validator above does not know", () => {
    const schema = {
      type: "object",
      properties: {
        legacy: { type: "string", nullable: true, maxLength: 5 },
        level: { $ref: "#/definitions/level" },
      },
      required: ["legacy", "level"],
      definitions: { level: { type: "integer", minimum: 1, maximum: 3 } },
    };
    const documents = Array.from({ length: 60 }, (_, seed) => generateDocument(schema, Rng.fromParts(seed), topic)) as {
      legacy: string | null;
      level: number;
    }[];

    for (const { legacy, level } of documents) {
      expect(legacy === null || (typeof legacy === "string" && legacy.length <= 5)).toBe(true);
      expect(Number.isInteger(level) && level >= 1 && level <= 3).toBe(true);
    }
    expect(documents.some(({ legacy }) => legacy === null)).toBe(true);
    expect(documents.some(({ legacy }) => typeof legacy === "string")).toBe(true);
  });

  it("is deterministic for a seed and varies between seeds", () => {
    const schema = SCHEMAS["nested objects with required and optional properties"];
    const first = generateDocument(schema, Rng.fromParts("same"), topic);

    expect(generateDocument(schema, Rng.fromParts("same"), topic)).toEqual(first);
    expect(generateDocument(schema, Rng.fromParts("other"), topic)).not.toEqual(first);
  });

  it("fills fields from the prompt: mentioned paths, its language, its words", () => {
    const schema = {
      type: "object",
      properties: { path: { type: "string" }, language: { type: "string" }, summary: { type: "string" } },
      required: ["path", "language", "summary"],
    };

    const document = generateDocument(schema, Rng.fromParts("fields"), topic) as Record<string, string>;

    expect(document.path).toBe("src/api/orders.ts");
    expect(document.language).toBe("typescript");
    expect(topic.words.some((word) => document.summary?.includes(word))).toBe(true);
  });

  it("gives each listed file its own path, and content in the syntax of its kind", () => {
    const schema = {
      type: "object",
      properties: {
        artifacts: {
          type: "array",
          minItems: 8,
          maxItems: 8,
          items: {
            type: "object",
            properties: {
              path: { type: "string" },
              kind: { type: "string", enum: ["dockerfile", "compose", "kubernetes", "terraform"] },
              content: { type: "string" },
            },
            required: ["path", "kind", "content"],
          },
        },
      },
      required: ["artifacts"],
    };
    const infrastructure = topicOf("Containerise the billing worker and deploy it");

    const { artifacts } = generateDocument(schema, Rng.fromParts("kinds"), infrastructure) as {
      artifacts: { path: string; kind: string; content: string }[];
    };

    expect(new Set(artifacts.map((artifact) => artifact.path)).size).toBe(artifacts.length);
    const opening: Record<string, RegExp> = {
      dockerfile: /^FROM /,
      compose: /^services:\n/,
      kubernetes: /^apiVersion: /,
      terraform: /^resource "/,
    };
    for (const artifact of artifacts) expect(artifact.content).toMatch(opening[artifact.kind] as RegExp);
    expect(artifacts.find((artifact) => artifact.kind === "kubernetes")?.path).toMatch(/^k8s\/.+\.yaml$/);
  });
});
