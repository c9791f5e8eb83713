import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_DESCRIPTION_LENGTH, OrchestrateRequest, TaskCallback } from "../src/orchestrate.ts";

describe("OrchestrateRequest", () => {
  it("trims the description and defaults the priority to medium and the planner to auto", () => {
    expect(OrchestrateRequest.parse({ description: "  Add a cache  " })).toEqual({
      description: "Add a cache",
      priority: "medium",
      planner: "auto",
    });
  });

  it("rejects an unknown planner", () => {
    expect(OrchestrateRequest.safeParse({ description: "Add a cache", planner: "magic" }).success).toBe(false);
  });

  it("names the field for an unknown priority, an over-long description and an unknown key", () => {
    const result = OrchestrateRequest.safeParse({
      description: "a".repeat(MAX_DESCRIPTION_LENGTH + 1),
      priority: "urgent",
      extra: 1,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".") || issue.code);
    expect(paths).toEqual(expect.arrayContaining(["description", "priority", "unrecognized_keys"]));
  });

  it("accepts a positive integer max_tokens and an http(s) callback_url", () => {
    expect(
      OrchestrateRequest.parse({
        description: "Add a cache",
        max_tokens: 5_000,
        callback_url: "https://ci.example.com/hook?x=1",
      }),
    ).toMatchObject({ max_tokens: 5_000, callback_url: "https://ci.example.com/hook?x=1" });
  });

  it("rejects a max_tokens that is not a positive integer, and a callback_url that is not http(s)", () => {
    for (const max_tokens of [0, -1, 2.5, "100", 2 ** 31]) {
      const result = OrchestrateRequest.safeParse({ description: "Add a cache", max_tokens });
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["max_tokens"]);
    }
    for (const callback_url of ["ftp://example.com/x", "example.com/hook", "javascript:alert(1)", ""]) {
      const result = OrchestrateRequest.safeParse({ description: "Add a cache", callback_url });
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["callback_url"]);
    }
  });

  it("derives a JSON schema that requires the description", () => {
    const document = z.toJSONSchema(OrchestrateRequest, { io: "input" }) as {
      $ref: string;
      $defs: Record<string, { required: string[]; additionalProperties: boolean }>;
    };
    expect(document.$ref).toBe("#/$defs/OrchestrateRequest");
    expect(document.$defs.OrchestrateRequest).toMatchObject({ required: ["description"], additionalProperties: false });
  });
});

describe("TaskCallback", () => {
  it("accepts only a final status", () => {
    const callback = {
      task_id: "0b0f8f4e-4a0c-4d57-9c43-7a8f0f2f7b1e",
      status: "partial",
      error: "token budget of 10 exhausted (150 used)",
      finished_at: "2026-01-01T00:00:00.000Z",
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    };
    expect(TaskCallback.parse(callback)).toEqual(callback);
    expect(TaskCallback.safeParse({ ...callback, status: "running" }).success).toBe(false);
  });
});
