import { Capabilities } from "@devtools/contracts/agent";
import { createLogger } from "@devtools/service-kit/logger";
import { describe, expect, it } from "vitest";
import { type AgentDefinition, createAgentApp } from "../src/agent.ts";

const definition: AgentDefinition = {
  type: "code-review",
  description: "Reviews a change and reports findings.",
  skills: ["review", "lint"],
};

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

  it("advertises its output as a JSON Schema of the execute result", async () => {
    const schema = (await capabilities()).body.output_schema as JsonSchema;

    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(["subtask_id", "agent_type", "summary", "artifacts", "usage"]),
    );
    expect(schema.type).toBe("object");
  });

  it("names the agent on /health", async () => {
    const response = await buildAgent().request("/health");

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ status: "ok", service: "code-review", version: "0.9.1" });
  });

  it("is ready with no dependencies", async () => {
    const response = await buildAgent().request("/ready");

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ready", service: "code-review" });
  });

  it("lists /capabilities in its OpenAPI document", async () => {
    const response = await buildAgent().request("/openapi.json");
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };

    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/capabilities", "/health", "/ready"]));
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
