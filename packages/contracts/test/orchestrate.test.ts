import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_DESCRIPTION_LENGTH, OrchestrateRequest } from "../src/orchestrate.ts";

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

  it("derives a JSON schema that requires the description", () => {
    const document = z.toJSONSchema(OrchestrateRequest, { io: "input" }) as {
      $ref: string;
      $defs: Record<string, { required: string[]; additionalProperties: boolean }>;
    };
    expect(document.$ref).toBe("#/$defs/OrchestrateRequest");
    expect(document.$defs.OrchestrateRequest).toMatchObject({ required: ["description"], additionalProperties: false });
  });
});
