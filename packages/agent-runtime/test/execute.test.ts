import { EXECUTE_RESULTS, ExecuteResult } from "@devtools/contracts/agent";
import { Problem } from "@devtools/contracts/problem";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { infrastructureAgent, plainAgent, startTestAgent, type TestAgent } from "./support/agents.ts";
import { type ScriptedBackend, startScriptedBackend } from "./support/fake-backend.ts";
import { executeBody, metricValue, post, scrape } from "./support/http.ts";

describe("POST /execute against the inference simulator", () => {
  let simulator: RunningSimulator;
  let agent: TestAgent;

  beforeAll(async () => {
    simulator = await startSimulator();
    agent = await startTestAgent(plainAgent, simulator.url);
  });
  afterAll(async () => {
    await agent?.stop();
    await simulator?.close();
  });

  it("answers a schema-valid result with the structured output, its files as artifacts and the tokens used", async () => {
    const body = executeBody({ description: "Document the login endpoint of the API" });
    const response = await post(agent.url, "/execute", body);

    expect(response.status).toBe(200);
    expect(response.headers.get("idempotent-replayed")).toBeNull();
    const result = EXECUTE_RESULTS.documentation.parse(await response.json());
    expect(result).toMatchObject({ subtask_id: body.subtask_id, agent_type: "documentation", replayed: false });
    expect(result.model).toBe("devtools-simulator");
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(result.usage.completion_tokens).toBeGreaterThan(0);
    expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens + result.usage.completion_tokens);
    expect(result.artifacts.length).toBeGreaterThan(0);
    expect(result.artifacts.map((artifact) => artifact.path)).toEqual(
      result.output.documents.map((document) => document.path),
    );
    expect(ExecuteResult.safeParse(result).success).toBe(true);
  });

  it("counts executions, their duration and tokens on /metrics next to the inference client's", async () => {
    await post(agent.url, "/execute", executeBody());
    const exposition = await (await fetch(`${agent.url}/metrics`)).text();

    const labels = { agent: "documentation" };
    expect(metricValue(exposition, "agent_executions_total", { ...labels, outcome: "success" })).toBeGreaterThan(0);
    expect(metricValue(exposition, "agent_execution_duration_seconds_count", labels)).toBeGreaterThan(0);
    expect(metricValue(exposition, "agent_tokens_total", { ...labels, kind: "prompt" })).toBeGreaterThan(0);
    expect(metricValue(exposition, "agent_tokens_total", { ...labels, kind: "completion" })).toBeGreaterThan(0);
    expect(exposition).toContain("agent_idempotent_replays_total");
    expect(metricValue(exposition, "inference_requests_total", { outcome: "success" })).toBeGreaterThan(0);
  });

  it("is ready when the backend answers", async () => {
    const response = await fetch(`${agent.url}/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ready", checks: { inference: { status: "ok" } } });
  });

  it("rejects a body that fails the contract with 400 problem+json naming each field", async () => {
    const response = await post(
      agent.url,
      "/execute",
      executeBody({ subtask_id: "not-a-uuid", description: " ", extra: 1 }),
    );

    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = Problem.parse(await response.json());
    expect(problem.errors?.map((error) => error.field)).toEqual(
      expect.arrayContaining(["subtask_id", "description", "extra"]),
    );
  });

  it("rejects a body without an idempotency key, and malformed JSON, without calling the model", async () => {
    const before = await scrape(simulator.url, "vllm:request_success_total", { finished_reason: "stop" });
    const { idempotency_key: _key, ...withoutKey } = executeBody();
    const missing = await post(agent.url, "/execute", withoutKey);
    const malformed = await fetch(`${agent.url}/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });

    expect(missing.status).toBe(400);
    expect(Problem.parse(await missing.json()).errors?.[0]?.field).toBe("idempotency_key");
    expect(malformed.status).toBe(400);
    expect(await scrape(simulator.url, "vllm:request_success_total", { finished_reason: "stop" })).toBe(before);
  });
});

describe("POST /execute when the model is not there", () => {
  it("starts without inference configuration, is not ready, and answers 503 naming the missing variable", async () => {
    const agent = await startTestAgent(infrastructureAgent, undefined);
    try {
      const ready = await fetch(`${agent.url}/ready`);
      const response = await post(agent.url, "/execute", executeBody());

      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { inference: { status: "failed" } } });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
      const problem = Problem.parse(await response.json());
      expect(problem.type).toBe("urn:devtools:problem:inference_not_configured");
      expect(problem.detail).toContain("INFERENCE_BASE_URL");
    } finally {
      await agent.stop();
    }
  });

  it("answers 503 with the backend's Retry-After when the backend is overloaded (transient: retry)", async () => {
    const backend: ScriptedBackend = await startScriptedBackend([{ status: 503, headers: { "retry-after": "7" } }]);
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      const response = await post(agent.url, "/execute", executeBody());

      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(Problem.parse(await response.json()).type).toBe("urn:devtools:problem:inference_unavailable");
    } finally {
      await agent.stop();
      await backend.close();
    }
  });

  it("answers 503, not 500, when no backend listens at the configured address", async () => {
    const backend = await startScriptedBackend([""]);
    await backend.close();
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      const response = await post(agent.url, "/execute", executeBody());

      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect((await fetch(`${agent.url}/ready`)).status).toBe(503);
    } finally {
      await agent.stop();
    }
  });

  it("answers 422 (permanent) when the backend rejects the request itself", async () => {
    const backend = await startScriptedBackend([{ status: 400 }]);
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      const response = await post(agent.url, "/execute", executeBody());

      expect(response.status).toBe(422);
      expect(response.headers.get("retry-after")).toBeNull();
      expect(Problem.parse(await response.json()).type).toBe("urn:devtools:problem:inference_rejected");
    } finally {
      await agent.stop();
      await backend.close();
    }
  });
});
