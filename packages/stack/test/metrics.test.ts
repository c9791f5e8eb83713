import { rm } from "node:fs/promises";
import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SERVICE_NAMES, type ServiceName } from "@devtools/contracts/services";
import { Task } from "@devtools/contracts/task";
import { type Family, parsePrometheusText, total } from "@devtools/testkit/prometheus-text";
import { stackEnvironment } from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../src/stack.ts";

// --- The parser itself, on what Prometheus accepts and refuses -------------------------------------

describe("the Prometheus text reader", () => {
  it("reads escapes, special values and histograms", () => {
    const families = parsePrometheusText(
      [
        "# HELP a_total Help with a \\\\ backslash",
        "# TYPE a_total counter",
        'a_total{path="C:\\\\x",quote="say \\"hi\\"",nl="a\\nb"} 3',
        "# TYPE h histogram",
        'h_bucket{le="0.5"} 1',
        'h_bucket{le="+Inf"} 2',
        "h_sum 0.75",
        "h_count 2",
        "g NaN",
      ].join("\n"),
    );
    expect(families.get("a_total")?.samples[0]?.labels).toEqual({ path: "C:\\x", quote: 'say "hi"', nl: "a\nb" });
    expect(total(families, "h_count")).toBe(2);
    expect(Number.isNaN(families.get("g")?.samples[0]?.value)).toBe(true);
  });

  it.each([
    ["a bad escape", 'a{x="\\t"} 1'],
    ["an unterminated label", 'a{x="1} 1'],
    ["a bad value", "a 1,5"],
    ["a duplicate series", 'a{x="1"} 1\na{x="1"} 2'],
    ["split samples", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2"],
    ["a TYPE after samples", "a 1\n# TYPE a gauge"],
    ["a +Inf bucket unequal to the count", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3'],
  ])("refuses %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});

// --- One task through the whole stack, then every /metrics ---------------------------------------

const SIMULATOR_MODEL = "devtools-simulator";

describe("the stack's /metrics after one task", () => {
  let stack: Stack;
  let dataDir: string;
  let simulatorUrl: string;
  const urls = {} as Record<ServiceName, string>;
  let task: Task;
  const scraped = new Map<string, Map<string, Family>>();

  beforeAll(async () => {
    const environment = await stackEnvironment({ GATEWAY_AUTH: "off" });
    dataDir = environment.dataDir;
    Object.assign(urls, environment.urls);
    const { env } = environment;
    stack = await startStack({ names: [], env, dataRoot: dataDir });
    simulatorUrl = new URL(stack.simulator?.url ?? "").origin;
    // Through the gateway, as a client would, waiting for the task's end.
    const response = await fetch(`${urls.gateway}/api/orchestrator/orchestrate`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=50" },
      body: JSON.stringify({ description: "Deploy new API endpoint with authentication", priority: "high" }),
    });
    expect(response.status).toBe(200);
    task = Task.parse(await response.json());
    for (const [name, url] of [...Object.entries(urls), ["simulator", simulatorUrl]] as const) {
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status, name).toBe(200);
      expect(metrics.headers.get("content-type"), name).toMatch(/^text\/plain; version=0\.0\.4/);
      scraped.set(name, parsePrometheusText(await metrics.text()));
    }
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const of = (name: string) => {
    const families = scraped.get(name);
    if (!families) throw new Error(`${name} was not scraped`);
    return families;
  };

  it("ran the guide's example to success on all five agents", () => {
    expect(task.status).toBe("succeeded");
    expect(task.subtasks.map((subtask) => subtask.agent_type).sort()).toEqual([...AGENT_TYPES].sort());
  });

  it("counts HTTP requests on every service by method, route template and status", () => {
    for (const name of SERVICE_NAMES) {
      const families = of(name);
      expect(families.get("http_requests_total")?.type, name).toBe("counter");
      expect(families.get("http_request_duration_seconds")?.type, name).toBe("histogram");
      for (const sample of families.get("http_requests_total")?.samples ?? []) {
        expect(Object.keys(sample.labels).sort(), name).toEqual(["method", "route", "status"]);
        // Templates, never raw paths with ids in them.
        expect(sample.labels.route, name).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      }
      expect(families.get("process_resident_memory_bytes")?.type, name).toBe("gauge");
    }
    expect(
      total(of("gateway"), "http_requests_total", { method: "POST", route: "/api/:service/*", status: "200" }),
    ).toBe(1);
    expect(
      total(of("orchestrator"), "http_requests_total", { method: "POST", route: "/orchestrate", status: "200" }),
    ).toBe(1);
    const execute = { method: "POST", route: "/execute", status: "200" };
    for (const agent of AGENT_TYPES) {
      expect(total(of(agent), "http_requests_total", execute), agent).toBe(1);
      expect(total(of(agent), "http_request_duration_seconds_count", execute), agent).toBe(1);
    }
  });

  it("reports tasks and subtasks by status and agent, finished and stored", () => {
    const orchestrator = of("orchestrator");
    expect(total(orchestrator, "orchestrator_tasks_finished_total", { status: "succeeded" })).toBe(1);
    expect(total(orchestrator, "orchestrator_tasks_finished_total", { status: "failed" })).toBe(0);
    expect(total(orchestrator, "orchestrator_stored_tasks", { status: "succeeded" })).toBe(1);
    expect(total(orchestrator, "orchestrator_stored_tasks")).toBe(1);
    expect(total(orchestrator, "orchestrator_subtasks_total", { outcome: "succeeded" })).toBe(5);
    expect(total(orchestrator, "orchestrator_subtasks_total", { outcome: "failed" })).toBe(0);
    for (const agent of AGENT_TYPES) {
      expect(total(orchestrator, "orchestrator_subtasks_total", { agent, outcome: "succeeded" }), agent).toBe(1);
      expect(total(orchestrator, "orchestrator_stored_subtasks", { agent, status: "succeeded" }), agent).toBe(1);
      expect(total(orchestrator, "orchestrator_stored_subtasks", { agent, status: "pending" }), agent).toBe(0);
      expect(total(orchestrator, "orchestrator_subtasks_in_flight", { agent })).toBe(0);
    }
  });

  it("times each subtask by agent and outcome", () => {
    const orchestrator = of("orchestrator");
    expect(orchestrator.get("orchestrator_subtask_duration_seconds")?.type).toBe("histogram");
    for (const agent of AGENT_TYPES) {
      const labels = { agent, outcome: "succeeded" };
      expect(total(orchestrator, "orchestrator_subtask_duration_seconds_count", labels), agent).toBe(1);
      expect(total(orchestrator, "orchestrator_subtask_duration_seconds_sum", labels), agent).toBeGreaterThan(0);
      expect(total(of(agent), "agent_executions_total", { agent, outcome: "success" }), agent).toBe(1);
      expect(total(of(agent), "agent_execution_duration_seconds_count", { agent }), agent).toBe(1);
    }
  });

  it("counts tokens by agent and model, the same on the orchestrator, the agents and the backend", () => {
    const orchestrator = of("orchestrator");
    let prompt = 0;
    for (const subtask of task.subtasks) {
      const agent = subtask.agent_type;
      const usage = subtask.usage;
      if (!usage) throw new Error(`${agent} has no usage`);
      expect(subtask.result?.model).toBe(SIMULATOR_MODEL);
      const labels = { agent, model: SIMULATOR_MODEL };
      expect(total(orchestrator, "orchestrator_tokens_total", { ...labels, kind: "prompt" }), agent).toBe(
        usage.prompt_tokens,
      );
      expect(total(orchestrator, "orchestrator_tokens_total", { ...labels, kind: "completion" }), agent).toBe(
        usage.completion_tokens,
      );
      // The agent's client counts every model call; with no repair round that is the subtask's usage.
      const calls = of(agent);
      expect(total(calls, "inference_tokens_total", { model: SIMULATOR_MODEL, kind: "prompt" }), agent).toBe(
        usage.prompt_tokens,
      );
      expect(total(calls, "agent_tokens_total", { agent, kind: "completion" }), agent).toBe(usage.completion_tokens);
      prompt += usage.prompt_tokens;
    }
    expect(total(of("simulator"), "vllm:prompt_tokens_total")).toBe(prompt);
  });

  it("shows each agent's inference queue depth and in-flight requests per backend, idle now", () => {
    const backend = { backend: `${simulatorUrl}/v1` };
    let answered = 0;
    for (const agent of AGENT_TYPES) {
      const calls = of(agent);
      expect(calls.get("inference_queue_depth")?.type, agent).toBe("gauge");
      expect(calls.get("inference_in_flight")?.type, agent).toBe("gauge");
      expect(
        calls.get("inference_queue_depth")?.samples.map((sample) => sample.labels),
        agent,
      ).toEqual([backend]);
      expect(total(calls, "inference_queue_depth", backend), agent).toBe(0);
      expect(total(calls, "inference_in_flight", backend), agent).toBe(0);
      expect(total(calls, "inference_queue_wait_seconds_count", backend), agent).toBeGreaterThanOrEqual(1);
      const successes = total(calls, "inference_requests_total", { ...backend, outcome: "success" });
      expect(successes, agent).toBeGreaterThanOrEqual(1);
      answered += successes;
    }
    const simulator = of("simulator");
    expect(total(simulator, "vllm:num_requests_waiting")).toBe(0);
    expect(total(simulator, "vllm:num_requests_running")).toBe(0);
    // What the agents' clients saw answered is what the backend says it answered.
    expect(total(simulator, "vllm:request_success_total")).toBe(answered);
  });

  it("counts lease recoveries from zero, so that an alert sees the first", () => {
    const orchestrator = of("orchestrator");
    expect(orchestrator.get("orchestrator_lease_recoveries_total")?.type).toBe("counter");
    expect(total(orchestrator, "orchestrator_lease_recoveries_total", { kind: "expired" })).toBe(0);
    expect(total(orchestrator, "orchestrator_lease_recoveries_total", { kind: "restart" })).toBe(0);
  });
});
