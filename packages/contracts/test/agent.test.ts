import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EXECUTE_RESULTS, ExecuteResult } from "../src/agent.ts";
import { AGENT_OUTPUTS, CicdOutput, CodeReviewOutput } from "../src/agent-outputs.ts";
import { AGENT_TYPES } from "../src/agent-type.ts";
import { jsonSchemaOf } from "../src/json-schema.ts";

const base = {
  subtask_id: randomUUID(),
  summary: "Done.",
  artifacts: [{ path: ".github/workflows/ci.yml", kind: "github-workflow", content: "on: push\n" }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  model: "m",
  repaired: false,
  replayed: false,
};
const cicdOutput = { workflows: [{ path: ".github/workflows/ci.yml", content: "on: push\n" }], notes: "" };

type JsonSchema = { [key: string]: unknown };

/** Every schema node of a JSON schema document, depth first. */
function nodes(schema: unknown): JsonSchema[] {
  if (Array.isArray(schema)) return schema.flatMap(nodes);
  if (schema === null || typeof schema !== "object") return [];
  return [schema as JsonSchema, ...Object.values(schema).flatMap(nodes)];
}

describe("agent outputs", () => {
  it.each(AGENT_TYPES)("%s: its output's JSON schema is an inline object with every property required", (type) => {
    const schema = z.toJSONSchema(AGENT_OUTPUTS[type], { io: "input" }) as JsonSchema;

    expect(schema.type).toBe("object");
    expect(JSON.stringify(schema)).not.toContain("$ref");
    for (const node of nodes(schema).filter((candidate) => candidate.type === "object")) {
      expect(node.required).toEqual(Object.keys(node.properties as JsonSchema));
    }
  });

  it("keeps workflows directly in .github/workflows/, as .yml or .yaml", () => {
    const paths = [".github/workflows/ci.yml", ".github/workflows/deploy.yaml"];
    for (const path of paths)
      expect(CicdOutput.safeParse({ ...cicdOutput, workflows: [{ path, content: "" }] }).success).toBe(true);
    for (const path of [
      "ci.yml",
      ".github/workflows/nested/ci.yml",
      ".github/workflows/ci.json",
      "../.github/workflows/ci.yml",
    ]) {
      const result = CicdOutput.safeParse({ ...cicdOutput, workflows: [{ path, content: "" }] });
      expect(result.error?.issues[0]?.path).toEqual(["workflows", 0, "path"]);
    }
  });

  it("allows a finding about the whole change, without file or line, and refuses an unknown severity", () => {
    const finding = { severity: "info", file: null, line: null, rule: "naming", message: "m", suggestion: "" };
    expect(CodeReviewOutput.safeParse({ findings: [finding], verdict: "comment", summary: "s" }).success).toBe(true);
    const unknown = CodeReviewOutput.safeParse({
      findings: [{ ...finding, severity: "blocker" }],
      verdict: "comment",
      summary: "s",
    });
    expect(unknown.error?.issues[0]?.path).toEqual(["findings", 0, "severity"]);
  });
});

describe("ExecuteResult", () => {
  it("types the output by agent_type", () => {
    const result = ExecuteResult.parse({ ...base, agent_type: "cicd", output: cicdOutput });

    expect(result.agent_type === "cicd" && result.output.workflows[0]?.path).toBe(".github/workflows/ci.yml");
    expect(ExecuteResult.safeParse({ ...base, agent_type: "documentation", output: cicdOutput }).success).toBe(false);
  });

  it("keeps the fields the orchestrator relies on, and requires model, repaired and replayed", () => {
    const { model: _model, ...withoutModel } = base;
    expect(ExecuteResult.safeParse({ ...withoutModel, agent_type: "cicd", output: cicdOutput }).success).toBe(false);
    const schema = jsonSchemaOf(EXECUTE_RESULTS.cicd) as { required: string[]; properties: JsonSchema };
    expect(schema.required).toEqual(
      expect.arrayContaining([
        "subtask_id",
        "agent_type",
        "summary",
        "artifacts",
        "usage",
        "output",
        "model",
        "repaired",
        "replayed",
      ]),
    );
    expect(schema.properties.agent_type).toMatchObject({ const: "cicd" });
  });
});
