import { randomUUID } from "node:crypto";
import { Capabilities, EXECUTE_RESULTS } from "@devtools/contracts/agent";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import type { RunningService } from "@devtools/service-kit/serve";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start } from "../src/start.ts";

describe("the code-review agent against the inference simulator", () => {
  let simulator: RunningSimulator;
  let agent: RunningService;
  let url: string;

  beforeAll(async () => {
    simulator = await startSimulator();
    agent = await start({
      env: {
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
        INFERENCE_BASE_URL: simulator.url,
        SHUTDOWN_TIMEOUT_MS: "500",
      },
      handleSignals: false,
    });
    url = `http://127.0.0.1:${agent.port}`;
  });
  afterAll(async () => {
    await agent?.shutdown("test over");
    await simulator?.close();
  });

  it("answers a subtask with a schema-valid result that passed its checks, with artifacts and token usage", async () => {
    // The simulator's answer depends only on the prompt. It writes schema-valid documents whose file
    // contents are snippets in the prompt's language, so not every subtask gives files this agent's
    // parsers accept: this one does.
    const body = {
      subtask_id: randomUUID(),
      task_id: randomUUID(),
      description: "Review the authentication middleware for security issues",
      idempotency_key: randomUUID(),
    };
    const response = await fetch(`${url}/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

    expect(response.status).toBe(200);
    const result = EXECUTE_RESULTS["code-review"].parse(await response.json());
    expect(result).toMatchObject({ subtask_id: body.subtask_id, agent_type: "code-review", replayed: false });
    expect(result.usage.total_tokens).toBeGreaterThan(0);
    expect(result.artifacts.length).toBeGreaterThan(0);
    expect(result.artifacts[0]).toMatchObject({ path: "code-review.md", kind: "review" });
    expect(result.summary.length).toBeGreaterThan(0);
  });

  it("advertises its own output schema on /capabilities", async () => {
    const capabilities = Capabilities.parse(await (await fetch(`${url}/capabilities`)).json());
    const output = (capabilities.output_schema as { properties: { output: { properties: object } } }).properties.output;

    expect(capabilities.name).toBe("code-review");
    expect(Object.keys(output.properties)).toContain("findings");
  });

  it("is ready once the simulator answers", async () => {
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});
