// The whole execution path as in production, for the orchestration and soak benchmarks: the
// inference simulator at a fixed latency per call, the five agents and the orchestrator, each its own
// process (one container each) on a free port, with a fresh PostgreSQL database; and the client side:
// posting a task and waiting for tasks to end.

import { AGENT_TYPES as AGENTS } from "../../packages/contracts/src/agent-type.ts";
import { SERVICES } from "../../packages/contracts/src/services.ts";
import { FINAL_TASK_STATUSES as FINAL } from "../../packages/contracts/src/task.ts";
import { freePort, startProcess } from "./processes.mjs";

/** The request both benchmarks send: 5 subtasks in 3 stages with the rule planner. */
export const DESCRIPTION = "Deploy new API endpoint with authentication";
export const PLAN = { subtasks: 5, stages: 3 };

/**
 * The simulator with a fixed latency per call: time to first token only, generation and prefill
 * instant. `inspect` opens its inspector, for live-heap readings.
 */
export async function startSimulator(callMs, { inspect = false } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [
    ...["packages/inference-simulator/src/main.ts", "--host", "127.0.0.1", "--port", String(port)],
    ...["--ttft-ms", String(callMs), "--tokens-per-second", "1000000000", "--prefill-tokens-per-second", "1000000000"],
    ...["--max-num-seqs", "4096"],
  ];
  const process_ = await startProcess("simulator", { args, healthUrl: `${origin}/health`, inspect });
  return { ...process_, url: `${origin}/v1`, metrics: `${origin}/metrics`, health: `${origin}/health` };
}

/**
 * The orchestrator and the five agents; resolves when all answer, with the orchestrator's URL, the
 * agents' /metrics and every process (each with its `metrics` URL). The orchestrator gets no inference backend, so it plans with
 * the rules and every model call in the run is an agent's. Its limits are set from `inFlight` high
 * enough that they do not bind: the figure is the engine's, not a configured cap.
 */
export async function startServices(databaseUrl, inferenceUrl, inFlight, { inspect = false } = {}) {
  const urls = {};
  for (const name of ["orchestrator", ...AGENTS]) urls[name] = `http://127.0.0.1:${await freePort()}`;
  const common = { HOST: "127.0.0.1", LOG_LEVEL: "warn" };
  const start = async (name, env) => ({
    ...(await startProcess(name, {
      args: [`services/${name}/src/main.ts`],
      env: { ...common, ...env, PORT: new URL(urls[name]).port },
      healthUrl: `${urls[name]}/health`,
      inspect,
    })),
    metrics: `${urls[name]}/metrics`,
  });
  const agents = await Promise.all(
    AGENTS.map((agent) =>
      start(agent, { INFERENCE_BASE_URL: inferenceUrl, INFERENCE_MAX_CONCURRENCY: String(inFlight * 2) }),
    ),
  );
  const orchestrator = await start("orchestrator", {
    DATABASE_URL: databaseUrl,
    ...Object.fromEntries(AGENTS.map((agent) => [SERVICES[agent].urlVariable, urls[agent]])),
    EXECUTION_CONCURRENCY: String(inFlight * PLAN.subtasks),
    AGENT_CONCURRENCY: String(inFlight * 2),
  });
  return {
    orchestratorUrl: urls.orchestrator,
    agentMetrics: AGENTS.map((agent) => `${urls[agent]}/metrics`),
    processes: [orchestrator, ...agents],
  };
}

/** Posts the benchmark's task; its id once the plan (checked to be the expected shape) is stored. */
export async function orchestrate(orchestratorUrl) {
  const response = await fetch(`${orchestratorUrl}/orchestrate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description: DESCRIPTION, priority: "medium", planner: "rules" }),
  });
  if (response.status !== 201)
    throw new Error(`POST /orchestrate answered ${response.status}: ${await response.text()}`);
  const task = await response.json();
  if (task.subtasks.length !== PLAN.subtasks || task.routing_plan.stages.length !== PLAN.stages) {
    throw new Error(
      `expected a ${PLAN.subtasks}-subtask, ${PLAN.stages}-stage plan, got ${JSON.stringify(task.routing_plan)}`,
    );
  }
  return task.task_id;
}

/** Posts the benchmark's task with `Prefer: wait` and answers the finished task (as GET /tasks/{id} shows it). */
export async function orchestrateAndWait(orchestratorUrl, seconds = 120) {
  const response = await fetch(`${orchestratorUrl}/orchestrate`, {
    method: "POST",
    headers: { "content-type": "application/json", prefer: `wait=${seconds}` },
    body: JSON.stringify({ description: DESCRIPTION, priority: "medium", planner: "rules" }),
  });
  if (response.status !== 200) {
    throw new Error(`POST /orchestrate (Prefer: wait) answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/**
 * Waits for tasks to end, reading their stored times: `ended(id)` resolves with the task's row
 * (`id, status, created_at, finished_at`). One query every few milliseconds serves every waiter, so
 * that watching hundreds of tasks does not load the database more than the work itself.
 */
export function completions(sql) {
  const waiting = new Map();
  let polling = false;
  const poll = async () => {
    polling = true;
    while (waiting.size > 0) {
      const rows = await sql`
        select id, status, created_at, finished_at from tasks
        where id = any(${[...waiting.keys()]}) and status = any(${FINAL})`;
      for (const row of rows) {
        waiting.get(row.id)?.(row);
        waiting.delete(row.id);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    polling = false;
  };
  return (id) =>
    new Promise((resolve) => {
      waiting.set(id, resolve);
      if (!polling) void poll();
    });
}
