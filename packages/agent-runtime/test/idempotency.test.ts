import { ExecuteResult } from "@devtools/contracts/agent";
import { Problem } from "@devtools/contracts/problem";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { waitFor } from "@devtools/testkit/poll";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainAgent, startTestAgent, type TestAgent } from "./support/agents.ts";
import { executeBody, post, readEvents, scrape } from "./support/http.ts";

describe("idempotency keys", () => {
  let simulator: RunningSimulator;
  let agent: TestAgent;
  // Slow enough that a duplicate sent right after the first arrives while the model still writes.
  beforeAll(async () => {
    simulator = await startSimulator({ ttftMs: 300 });
    agent = await startTestAgent(plainAgent, simulator.url);
  });
  afterAll(async () => {
    await agent?.stop();
    await simulator?.close();
  });

  const modelCalls = () => scrape(simulator.url, "vllm:request_success_total", { finished_reason: "stop" });
  const replays = (source: string) =>
    scrape(agent.url, "agent_idempotent_replays_total", { agent: "documentation", source });

  it("answers a repeated key from the store without calling the model again", async () => {
    const body = executeBody();
    const before = await modelCalls();
    const first = await post(agent.url, "/execute", body);
    const second = await post(agent.url, "/execute", body);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const original = ExecuteResult.parse(await first.json());
    const replay = ExecuteResult.parse(await second.json());
    expect(original.replayed).toBe(false);
    expect(replay).toEqual({ ...original, replayed: true });
    expect(await modelCalls()).toBe(before + 1);
    expect(await replays("store")).toBeGreaterThanOrEqual(1);
  });

  it("lets concurrent duplicates share one model call", async () => {
    const body = executeBody();
    const before = await modelCalls();
    const responses = await Promise.all([1, 2, 3].map(() => post(agent.url, "/execute", body)));
    const results = await Promise.all(responses.map(async (response) => ExecuteResult.parse(await response.json())));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(responses.filter((response) => response.headers.get("idempotent-replayed") === "true")).toHaveLength(2);
    expect(new Set(results.map((result) => JSON.stringify(result.output))).size).toBe(1);
    expect(await modelCalls()).toBe(before + 1);
    expect(await replays("in_flight")).toBeGreaterThanOrEqual(2);
  });

  it("treats a key as the same request whatever the key order or whitespace of the body", async () => {
    const body = executeBody({ description: "Document the rate limiter" });
    const reordered = Object.fromEntries(
      Object.entries({ ...body, description: "  Document the rate limiter  " }).reverse(),
    );
    await post(agent.url, "/execute", body);
    const again = await post(agent.url, "/execute", reordered);

    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("rejects a key reused with a different body with 409, stored or still running", async () => {
    const body = executeBody();
    const running = post(agent.url, "/execute", body);
    await waitFor(async () => ((await scrape(simulator.url, "vllm:num_requests_running")) === 1 ? true : undefined));
    const whileRunning = await post(agent.url, "/execute", { ...body, description: "Something else entirely" });
    expect((await running).status).toBe(200);
    const afterwards = await post(agent.url, "/execute/stream", { ...body, task_id: executeBody().task_id });

    for (const response of [whileRunning, afterwards]) {
      expect(response.status).toBe(409);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = Problem.parse(await response.json());
      expect(problem.type).toBe("urn:devtools:problem:idempotency_conflict");
      expect(problem.errors?.[0]?.field).toBe("idempotency_key");
    }
  });

  it("replays a stored result on the stream at once: one result event, no model call", async () => {
    const body = executeBody();
    const original = ExecuteResult.parse(await (await post(agent.url, "/execute", body)).json());
    const before = await modelCalls();
    const response = await post(agent.url, "/execute/stream", body);
    const events = await readEvents(response);

    expect(response.headers.get("idempotent-replayed")).toBe("true");
    expect(events.map((event) => event.event)).toEqual(["result"]);
    expect(ExecuteResult.parse(events[0]?.data)).toEqual({ ...original, replayed: true });
    expect(await modelCalls()).toBe(before);
  });
});
