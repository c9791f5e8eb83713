import type { Task } from "@devtools/contracts/task";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { waitFor } from "@devtools/testkit/poll";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProblem } from "./support.ts";

// The gateway, the orchestrator and one agent as real processes sharing INTERNAL_TOKEN, the agent
// on the in-process inference simulator. The gateway runs with GATEWAY_AUTH=off, so that only the
// internal token is in play (and the opt-out is exercised).
const INTERNAL_TOKEN = "a-shared-internal-token-for-tests";
const INFRASTRUCTURE_ONLY = "Write a Dockerfile for the worker";

let simulator: RunningSimulator;
let agent: ServiceProcess;
let orchestrator: ServiceProcess;
let gateway: ServiceProcess;

beforeAll(async () => {
  simulator = await startSimulator({ ttftMs: 10, tokensPerSecond: 50_000 });
  agent = await startService("infrastructure", { INFERENCE_BASE_URL: simulator.url, INTERNAL_TOKEN });
  orchestrator = await startService("orchestrator", {
    DATA_DIR: "memory://",
    INTERNAL_TOKEN,
    INFRASTRUCTURE_URL: agent.url,
    EXECUTION_POLL_MS: "100",
    TASK_EVENTS_POLL_MS: "100",
  });
  gateway = await startService("gateway", {
    DATA_DIR: "memory://",
    GATEWAY_AUTH: "off",
    INTERNAL_TOKEN,
    ORCHESTRATOR_URL: orchestrator.url,
    INFRASTRUCTURE_URL: agent.url,
  });
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), orchestrator?.stop(), agent?.stop()]);
  await simulator?.close();
});

describe("the internal token", () => {
  it("is required by the internal services on every route but the probes and metrics", async () => {
    for (const service of [orchestrator, agent]) {
      const path = service === agent ? "/capabilities" : "/tasks";
      const without = await fetch(`${service.url}${path}`);
      expect(without.status, `${service.name} without a token`).toBe(401);
      expect((await readProblem(without)).detail).toContain("internal token");
      const wrong = await fetch(`${service.url}${path}`, { headers: { authorization: "Bearer not-the-token" } });
      expect(wrong.status, `${service.name} with a wrong token`).toBe(401);
      await wrong.arrayBuffer();
      const right = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${INTERNAL_TOKEN}` } });
      expect(right.status, `${service.name} with the token`).toBe(200);
      await right.arrayBuffer();
      for (const open of ["/health", "/ready", "/metrics"]) {
        const response = await fetch(`${service.url}${open}`);
        expect(response.status, `${service.name} ${open}`).toBe(200);
        await response.arrayBuffer();
      }
    }
  });

  it("is sent by the gateway to the orchestrator and the agents, and by the orchestrator to the agents", async () => {
    const capabilities = await fetch(`${gateway.url}/api/infrastructure/capabilities`);
    expect(capabilities.status).toBe(200);
    expect(await capabilities.json()).toMatchObject({ name: "infrastructure" });

    const created = await fetch(`${gateway.url}/api/orchestrator/orchestrate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: INFRASTRUCTURE_ONLY, priority: "medium", planner: "rules" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as Task;
    expect(task.subtasks.map((subtask) => subtask.agent_type)).toEqual(["infrastructure"]);

    // The task's live events through the gateway: the stream ends when the task does.
    const events = await fetch(`${gateway.url}/api/orchestrator/tasks/${task.task_id}/events`);
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const text = await events.text();
    expect(text).toContain("task.succeeded");

    // The subtask succeeded, so the orchestrator's dispatch carried the token the agent requires.
    const final = await waitFor(async () => {
      const response = await fetch(`${gateway.url}/api/orchestrator/tasks/${task.task_id}`);
      const body = (await response.json()) as Task;
      return body.status === "succeeded" || body.status === "failed" ? body : undefined;
    });
    expect(final.status).toBe("succeeded");
    expect(final.subtasks[0]?.attempts).toBe(1);
  });
});
