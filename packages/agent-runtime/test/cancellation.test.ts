import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { waitFor } from "@devtools/testkit/poll";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainAgent, startTestAgent, type TestAgent } from "./support/agents.ts";
import { executeBody, post, scrape } from "./support/http.ts";

describe("a client that disconnects", () => {
  let simulator: RunningSimulator;
  let agent: TestAgent;
  // About ten seconds per answer: nothing finishes by itself while a test looks.
  beforeAll(async () => {
    simulator = await startSimulator({ tokensPerSecond: 10 });
    agent = await startTestAgent(plainAgent, simulator.url);
  });
  afterAll(async () => {
    await agent?.stop();
    await simulator?.close();
  });

  const running = () => scrape(simulator.url, "vllm:num_requests_running");
  const finished = (reason: string) => scrape(simulator.url, "vllm:request_success_total", { finished_reason: reason });
  const until = (probe: () => Promise<boolean>, what: string) =>
    waitFor(async () => ((await probe()) ? true : undefined), { timeoutMs: 5_000, what });

  /** Sends `body` to `path` and returns the way to hang up. */
  function send(path: string, body: Record<string, unknown>) {
    const controller = new AbortController();
    const response = post(agent.url, path, body, { signal: controller.signal }).catch((error: unknown) => error);
    return { response, hangUp: () => controller.abort() };
  }

  it("aborts the model call, and stores nothing, when the only caller hangs up", async () => {
    const aborted = await finished("abort");
    const body = executeBody();
    const first = send("/execute", body);
    await until(async () => (await running()) === 1, "the model call to start");
    first.hangUp();

    await until(async () => (await running()) === 0, "the model call to be aborted");
    expect(await finished("abort")).toBe(aborted + 1);
    expect(await finished("stop")).toBe(0);
    await until(
      async () => (await scrape(agent.url, "agent_executions_total", { outcome: "cancelled" })) === 1,
      "the execution to count as cancelled",
    );

    // Nothing was stored: the same key calls the model again.
    const second = send("/execute", body);
    await until(async () => (await running()) === 1, "a new model call for the same key");
    second.hangUp();
    await until(async () => (await running()) === 0, "the second call to be aborted");
  });

  it("aborts the model call when a stream's client hangs up", async () => {
    const aborted = await finished("abort");
    const stream = send("/execute/stream", executeBody());
    await until(async () => (await running()) === 1, "the model call to start");
    stream.hangUp();

    await until(async () => (await running()) === 0, "the model call to be aborted");
    expect(await finished("abort")).toBe(aborted + 1);
  });

  it("keeps the model call for the callers still waiting when one duplicate hangs up", async () => {
    const slowStart = await startSimulator({ ttftMs: 1_000 });
    const shared = await startTestAgent(plainAgent, slowStart.url);
    try {
      const body = executeBody();
      const leaving = new AbortController();
      const first = post(shared.url, "/execute", body, { signal: leaving.signal }).catch(() => "left");
      await waitFor(async () => ((await scrape(slowStart.url, "vllm:num_requests_running")) === 1 ? true : undefined));
      const staying = await post(shared.url, "/execute/stream", body);
      const reader = (staying.body as ReadableStream<Uint8Array>).getReader();
      // The joined stream's first event (the execution's "started", replayed) proves it waits too.
      let text = new TextDecoder().decode((await reader.read()).value);
      leaving.abort();
      expect(await first).toBe("left");
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        text += new TextDecoder().decode(chunk.value);
      }

      expect(staying.headers.get("idempotent-replayed")).toBe("true");
      expect(text).toContain("event: result");
      expect(await scrape(slowStart.url, "vllm:request_success_total", { finished_reason: "abort" })).toBe(0);
      expect(await scrape(slowStart.url, "vllm:request_success_total", { finished_reason: "stop" })).toBe(1);
    } finally {
      await shared.stop();
      await slowStart.close();
    }
  });
});
