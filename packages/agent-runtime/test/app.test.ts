import { Capabilities } from "@devtools/contracts/agent";
import { CodeReviewOutput } from "@devtools/contracts/agent-outputs";
import { createLogger } from "@devtools/service-kit/logger";
import { describe, expect, it } from "vitest";
import { defineAgent } from "../src/agent.ts";
import { createAgentApp } from "../src/app.ts";

const definition = defineAgent({
  type: "code-review",
  description: "Reviews a change and reports findings.",
  skills: ["review", "lint"],
  system: "You review code.",
  instructions: "Report findings.",
  output: CodeReviewOutput,
  present: (review) => ({ summary: review.summary, artifacts: [] }),
});

function buildAgent() {
  return createAgentApp(definition, { logger: createLogger("code-review-test", "silent"), version: "0.9.1" });
}

interface JsonSchema {
  $schema?: string;
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  additionalProperties?: unknown;
}

async function capabilities(): Promise<{ response: Response; body: Capabilities }> {
  const response = await buildAgent().request("/capabilities");
  return { response, body: Capabilities.parse(await response.json()) };
}

describe("createAgentApp", () => {
  it("answers GET /capabilities with the agent's name, version, description and skills", async () => {
    const { response, body } = await capabilities();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(body).toMatchObject({
      name: "code-review",
      version: "0.9.1",
      description: "Reviews a change and reports findings.",
      skills: ["review", "lint"],
    });
  });

  it("advertises its input as a JSON Schema of the execute request", async () => {
    const schema = (await capabilities()).body.input_schema as JsonSchema;

    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(["subtask_id", "task_id", "description", "upstream", "idempotency_key"]),
    );
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(expect.arrayContaining(["subtask_id", "task_id", "description"]));
    // The request is strict, and a defaulted field is optional on input.
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).not.toContain("upstream");
  });

  it("advertises its output as a JSON Schema of its own execute result, structured output included", async () => {
    const schema = (await capabilities()).body.output_schema as JsonSchema;

    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties ?? {})).toEqual(
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
    expect(schema.type).toBe("object");
    expect(schema.properties?.agent_type).toMatchObject({ const: "code-review" });
    const output = schema.properties?.output as JsonSchema;
    expect(output.required).toEqual(["findings", "verdict", "summary"]);
  });

  it("names the agent on /health", async () => {
    const response = await buildAgent().request("/health");

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ status: "ok", service: "code-review", version: "0.9.1" });
  });

  it("is not ready without an inference backend, and says which variable is missing", async () => {
    const response = await buildAgent().request("/ready");

    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; checks: { inference: { error: string } } };
    expect(body).toMatchObject({ status: "not_ready", service: "code-review" });
    expect(body.checks.inference.error).toContain("INFERENCE_BASE_URL");
  });

  it("lists its routes in its OpenAPI document, with the execute responses", async () => {
    const response = await buildAgent().request("/openapi.json");
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };

    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/capabilities", "/execute", "/execute/stream", "/health", "/ready"]),
    );
    expect(Object.keys(document.paths["/execute"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "409", "422", "503"]),
    );
  });

  it("answers an unknown route with 404 problem+json", async () => {
    const response = await buildAgent().request("/execute-nothing");

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 404, instance: response.headers.get("x-request-id") });
  });

  it("does not accept writes on /capabilities", async () => {
    const response = await buildAgent().request("/capabilities", { method: "POST", body: "{}" });

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});
