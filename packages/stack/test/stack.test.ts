import { SERVICE_NAMES, SERVICES } from "@devtools/contracts/services";
import { Task } from "@devtools/contracts/task";
import { stackEnvironment, startStackProcess } from "@devtools/testkit/stack";
import { describe, expect, it } from "vitest";
import { environmentFor, selectServices } from "../src/stack.ts";

describe("selectServices", () => {
  it("starts all seven by default and only the named ones otherwise, in port order", () => {
    expect(selectServices([])).toEqual(SERVICE_NAMES);
    expect(selectServices(["code-review", "orchestrator"])).toEqual(["orchestrator", "code-review"]);
  });

  it("rejects an unknown name, listing the valid ones", () => {
    expect(() => selectServices(["orchestrater"])).toThrow(
      /unknown service orchestrater; choose from gateway, orchestrator/,
    );
  });
});

describe("environmentFor", () => {
  it("listens on the port of the service's own URL variable and tells every service where the others are", () => {
    const env = environmentFor("orchestrator", { ORCHESTRATOR_URL: "http://localhost:9101" }, "/data");
    expect(env.PORT).toBe("9101");
    // One embedded database for the services the stack hosts, not one PGlite each.
    expect(env.DATA_DIR).toBe("/data/stack");
    expect(environmentFor("gateway", {}, "/data").DATA_DIR).toBe("/data/stack");
    expect(env.CODE_REVIEW_URL).toBe("http://localhost:8003");
  });

  it("points the agents, and only them, at the simulator the stack runs", () => {
    const simulator = "http://127.0.0.1:8010/v1";
    expect(environmentFor("feature-dev", {}, "/data", simulator).INFERENCE_BASE_URL).toBe(simulator);
    expect(environmentFor("orchestrator", {}, "/data", simulator).INFERENCE_BASE_URL).toBeUndefined();
    const configured = { INFERENCE_BASE_URL: "http://gpu:8000/v1" };
    expect(environmentFor("orchestrator", configured, "/data").INFERENCE_BASE_URL).toBe("http://gpu:8000/v1");
  });
});

describe("npm start's stack host", () => {
  it("brings all seven services and the simulator up ready, plans the guide's example, and stops cleanly on Ctrl-C", async () => {
    const environment = await stackEnvironment();
    const { env, simulatorPort } = environment;
    const stack = await startStackProcess(environment, { timeoutMs: 45_000 });
    try {
      const output = stack.output();
      for (const name of SERVICE_NAMES) {
        const url = env[SERVICES[name].urlVariable];
        const health = await fetch(`${url}/health`);
        expect(await health.json()).toEqual({ status: "ok", service: name, version: "0.1.0" });
        expect((await fetch(`${url}/ready`)).status).toBe(200);
        expect(output).toContain(url);
      }
      // The agents are ready only because their inference backend, the simulator, answers.
      expect(output).toContain(`http://127.0.0.1:${simulatorPort}/v1`);
      const models = await fetch(`http://127.0.0.1:${simulatorPort}/v1/models`);
      expect(models.headers.get("x-inference-simulator")).toBe("devtools");
      const response = await fetch(`${env.ORCHESTRATOR_URL}/orchestrate`, {
        method: "POST",
        // What `curl -d` sends, as in the deployment guide.
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: '{"description":"Deploy new API endpoint with authentication","priority":"high"}',
      });
      expect(response.status).toBe(201);
      const task = Task.parse(await response.json());
      expect(new Set(task.subtasks.map((subtask) => subtask.agent_type)).size).toBe(5);
    } finally {
      await stack.stop("SIGINT");
      expect(stack.child.exitCode).toBe(0);
    }
  });
});
