import { EXECUTE_RESULTS, ExecuteResult } from "@devtools/contracts/agent";
import { Problem } from "@devtools/contracts/problem";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { infrastructureAgent, plainAgent, startTestAgent, type TestAgent } from "./support/agents.ts";
import { startScriptedBackend } from "./support/fake-backend.ts";
import { executeBody, post, readEvents, type ServerSentEvent } from "./support/http.ts";

const phases = (events: ServerSentEvent[]) =>
  events.filter((event) => event.event === "progress").map((event) => (event.data as { phase: string }).phase);
const text = (events: ServerSentEvent[]) =>
  events
    .filter((event) => event.event === "token")
    .map((event) => (event.data as { text: string }).text)
    .join("");

describe("POST /execute/stream", () => {
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

  it("streams progress, the model's text as it is written, then the result", async () => {
    const body = executeBody({ description: "Document the login endpoint of the API" });
    const response = await post(agent.url, "/execute/stream", body);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(phases(events)).toEqual(["started", "generating", "checking", "done"]);
    expect(events.filter((event) => event.event === "token").length).toBeGreaterThan(1);
    expect(events.at(-1)?.event).toBe("result");
    const result = EXECUTE_RESULTS.documentation.parse(events.at(-1)?.data);
    expect(result).toMatchObject({ subtask_id: body.subtask_id, replayed: false, repaired: false });
    expect(result.usage.total_tokens).toBeGreaterThan(0);
    // The tokens are the answer the result was parsed from.
    expect(JSON.parse(text(events))).toEqual(result.output);
    // Progress comes in order around the tokens.
    const names = events.map((event) =>
      event.event === "progress" ? (event.data as { phase: string }).phase : event.event,
    );
    expect(names.indexOf("generating")).toBeLessThan(names.indexOf("token"));
    expect(names.lastIndexOf("token")).toBeLessThan(names.indexOf("checking"));
  });

  it("answers the same result to /execute afterwards, from the store", async () => {
    const body = executeBody();
    const streamed = (await readEvents(await post(agent.url, "/execute/stream", body))).at(-1)?.data;
    const response = await post(agent.url, "/execute", body);

    expect(response.headers.get("idempotent-replayed")).toBe("true");
    expect(ExecuteResult.parse(await response.json())).toEqual({ ...ExecuteResult.parse(streamed), replayed: true });
  });

  it("answers bad input with 400 problem+json before any stream opens", async () => {
    const response = await post(agent.url, "/execute/stream", executeBody({ task_id: "nope" }));

    expect(response.status).toBe(400);
    expect(Problem.parse(await response.json()).errors?.[0]?.field).toBe("task_id");
  });
});

describe("POST /execute/stream with a model that needs repairing", () => {
  const DOCKERFILE = 'FROM node:24-slim\nCMD ["node", "main.js"]\n';
  const answer = (content: string) =>
    JSON.stringify({ artifacts: [{ path: "Dockerfile", kind: "dockerfile", content }], notes: "One file." });

  it("streams the repair round too, and reports the result as repaired", async () => {
    const backend = await startScriptedBackend(["not json at all", answer(DOCKERFILE)]);
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      const events = await readEvents(await post(agent.url, "/execute/stream", executeBody()));

      expect(phases(events)).toEqual(["started", "generating", "checking", "repairing", "checking", "done"]);
      expect(text(events)).toBe(`not json at all${answer(DOCKERFILE)}`);
      expect(EXECUTE_RESULTS.infrastructure.parse(events.at(-1)?.data).repaired).toBe(true);
      expect(backend.chats.every((chat) => chat.stream)).toBe(true);
    } finally {
      await agent.stop();
      await backend.close();
    }
  });

  it("ends with an error event carrying the 422 problem when the repair fails too", async () => {
    const backend = await startScriptedBackend([answer("RUN make\n")]);
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      const response = await post(agent.url, "/execute/stream", executeBody());
      const events = await readEvents(response);

      expect(response.status).toBe(200);
      expect(events.at(-1)?.event).toBe("error");
      const problem = Problem.parse(events.at(-1)?.data);
      expect(problem).toMatchObject({ status: 422, type: "urn:devtools:problem:invalid_model_output" });
      expect(problem.errors?.[0]?.message).toContain("has no FROM instruction");
      expect(phases(events)).not.toContain("done");
    } finally {
      await agent.stop();
      await backend.close();
    }
  });
});
