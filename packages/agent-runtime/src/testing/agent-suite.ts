import { randomUUID } from "node:crypto";
import { Capabilities, EXECUTE_RESULTS, type ExecuteResultOf } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import type { RunningService, StartOptions } from "@devtools/service-kit/serve";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

export interface AgentSuite<Type extends AgentType> {
  /** The agent service's `start`, as its main calls it. */
  start: (options: StartOptions) => Promise<RunningService>;
  /**
   * A subtask whose simulated answer passes the agent's checks. The simulator's answer depends only
   * on the prompt, and not every prompt gives files the agent's parsers accept: this one does.
   */
  description: string;
  /** A field of the agent's own output that /capabilities must advertise. */
  outputField: string;
  /** What this agent's artifacts must look like. */
  expectArtifacts: (result: ExecuteResultOf<Type>) => void;
}

/**
 * The tests every agent service runs: the real service against the inference simulator, over HTTP —
 * a schema-valid result that passed its checks, its capabilities, and its readiness.
 */
export function describeAgent<Type extends AgentType>(type: Type, suite: AgentSuite<Type>): void {
  describe(`the ${type} agent against the inference simulator`, () => {
    let simulator: RunningSimulator;
    let agent: RunningService;
    let url: string;

    beforeAll(async () => {
      simulator = await startSimulator();
      agent = await suite.start({
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
      const body = {
        subtask_id: randomUUID(),
        task_id: randomUUID(),
        description: suite.description,
        idempotency_key: randomUUID(),
      };
      const response = await fetch(`${url}/execute`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

      expect(response.status).toBe(200);
      const result = EXECUTE_RESULTS[type].parse(await response.json()) as ExecuteResultOf<Type>;
      expect(result).toMatchObject({ subtask_id: body.subtask_id, agent_type: type, replayed: false });
      expect(result.usage.total_tokens).toBeGreaterThan(0);
      expect(result.artifacts.length).toBeGreaterThan(0);
      suite.expectArtifacts(result);
    });

    it("advertises its own output schema on /capabilities", async () => {
      const capabilities = Capabilities.parse(await (await fetch(`${url}/capabilities`)).json());
      const output = (capabilities.output_schema as { properties: { output: { properties: object } } }).properties
        .output;

      expect(capabilities.name).toBe(type);
      expect(Object.keys(output.properties)).toContain(suite.outputField);
    });

    it("is ready once the simulator answers", async () => {
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    });
  });
}
