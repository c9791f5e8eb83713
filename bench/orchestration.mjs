// Orchestration benchmark: how much time the platform adds to a plan's critical path, and how many
// tasks per second it finishes with 200 in flight. The whole stack runs as in production: the
// orchestrator, the five agents and the inference simulator as processes, on a fresh PostgreSQL
// database. The simulator answers every call in a fixed 200 ms, so a plan's physical limit is known:
// "Deploy new API endpoint with authentication" plans 5 subtasks in 3 stages; its critical path is the
// longest chain of model calls, 200 ms each (600 ms, or more when an agent needed a repair round).
//
//   node bench/orchestration.mjs
//
// Environment: BENCH_SEQUENTIAL_TASKS (50), BENCH_WARMUP_TASKS (5), BENCH_IN_FLIGHT (200),
// BENCH_SECONDS (20), BENCH_CALL_MS (200), BENCH_POSTGRES_URL (an admin connection).
// `--json <file>` also writes the figures as JSON.

import { createRequire } from "node:module";
import { createDatabase, dropDatabases, postgres } from "./support/databases.mjs";
import { orchestrationGoals, printGoals } from "./support/goals.mjs";
import { histogramTotalsAcross } from "./support/metrics.mjs";
import { ROOT, runGuarded } from "./support/processes.mjs";
import { writeResult } from "./support/result.mjs";
import { completions, orchestrate, orchestrateAndWait, PLAN, startServices, startSimulator } from "./support/stack.mjs";
import { summary } from "./support/stats.mjs";

const SEQUENTIAL_TASKS = Number(process.env.BENCH_SEQUENTIAL_TASKS ?? 50);
const WARMUP_TASKS = Number(process.env.BENCH_WARMUP_TASKS ?? 5);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CALL_MS = Number(process.env.BENCH_CALL_MS ?? 200);
const WATCHDOG_MS = (SECONDS + 240) * 1000;

// The HTTP client the services use (undici.request over a keep-alive pool), from their own dependencies.
const { Agent, request } = createRequire(`${ROOT}packages/inference/package.json`)("undici");

/**
 * The physical limit of a finished task: the longest chain of model calls through its plan, each
 * CALL_MS, counting the repair round of an agent whose first answer failed its checks.
 */
function criticalPathMs(task) {
  const finish = new Map();
  for (const id of task.routing_plan.execution_order) {
    const subtask = task.subtasks.find((candidate) => candidate.id === id);
    const calls = subtask.result?.repaired ? 2 : 1;
    const ready = Math.max(0, ...subtask.depends_on.map((dependency) => finish.get(dependency)));
    finish.set(id, ready + calls * CALL_MS);
  }
  return Math.max(...finish.values());
}

/**
 * Where one task's overhead lies, along the chain of subtasks that finished last: from the task's
 * creation to the first dispatch (`start`), each subtask's time beyond its model calls (`agents`:
 * the HTTP hops, the agent's own work and the simulator's), the hand-offs from a subtask's recorded
 * end to its dependant's dispatch (`handoffs`), and from the last subtask's end to the task's (`end`).
 */
function overheadParts(task) {
  const at = (value) => Date.parse(value);
  const byId = new Map(task.subtasks.map((subtask) => [subtask.id, subtask]));
  const parts = { start: 0, agents: 0, handoffs: 0, end: 0 };
  const chain = { subtasks: 0, calls: 0 };
  let current = task.subtasks.reduce((last, subtask) =>
    at(subtask.finished_at) > at(last.finished_at) ? subtask : last,
  );
  parts.end = at(task.finished_at) - at(current.finished_at);
  for (;;) {
    const calls = current.result?.repaired ? 2 : 1;
    chain.subtasks += 1;
    chain.calls += calls;
    parts.agents += at(current.finished_at) - at(current.started_at) - calls * CALL_MS;
    const dependencies = current.depends_on.map((id) => byId.get(id));
    if (dependencies.length === 0) {
      parts.start = at(current.started_at) - at(task.created_at);
      return { parts, chain };
    }
    const previous = dependencies.reduce((last, subtask) =>
      at(subtask.finished_at) > at(last.finished_at) ? subtask : last,
    );
    parts.handoffs += at(current.started_at) - at(previous.finished_at);
    current = previous;
  }
}

/** The histograms that split a subtask's time into hops: the simulator's, the agents' calls to it, their executions. */
async function hopTotals(simulatorMetrics, agentMetrics) {
  const [simulator, calls, executions] = await Promise.all([
    histogramTotalsAcross([simulatorMetrics], "vllm:e2e_request_latency_seconds"),
    histogramTotalsAcross(agentMetrics, "inference_request_duration_seconds"),
    histogramTotalsAcross(agentMetrics, "agent_execution_duration_seconds"),
  ]);
  return { simulator, calls, executions };
}

/**
 * Where the `agents` part goes, per model call and per subtask, from the services' own histograms
 * over the measured tasks: the simulator beyond its fixed latency (arrival to answer), the agent's
 * HTTP call beyond the simulator's time, the agent's own work beyond its calls, and the
 * orchestrator's side of a dispatch (claim to recorded outcome) beyond the agent's execution.
 */
function hopShares(before, after, subtaskMs) {
  const delta = (name) => ({
    sum: (after[name].sum - before[name].sum) * 1000,
    count: after[name].count - before[name].count,
  });
  const simulator = delta("simulator");
  const calls = delta("calls");
  const executions = delta("executions");
  const dispatched = subtaskMs.reduce((sum, ms) => sum + ms, 0);
  return {
    simulatorBeyondCallMs: (simulator.sum - simulator.count * CALL_MS) / calls.count,
    agentToSimulatorMs: (calls.sum - simulator.sum) / calls.count,
    agentOwnWorkMs: (executions.sum - calls.sum) / executions.count,
    orchestratorToAgentMs: (dispatched - executions.sum) / executions.count,
    calls: calls.count,
    subtasks: executions.count,
  };
}

/**
 * One task at a time: each one's wall time (created → finished, as stored) minus its critical path.
 * Each is posted with `Prefer: wait`, so that the orchestrator answers when it ends: nothing polls
 * the database meanwhile, on a machine whose cores the measured processes share.
 */
async function overhead(orchestratorUrl, simulatorMetrics, agentMetrics) {
  const overheads = [];
  const parts = { start: [], agents: [], handoffs: [], end: [] };
  const paths = new Map();
  const subtaskMs = [];
  let chain;
  let hopsBefore;
  for (let index = 0; index < WARMUP_TASKS + SEQUENTIAL_TASKS; index++) {
    if (index === WARMUP_TASKS) hopsBefore = await hopTotals(simulatorMetrics, agentMetrics);
    const task = await orchestrateAndWait(orchestratorUrl);
    if (task.status !== "succeeded") throw new Error(`task ${task.task_id} ended ${task.status}`);
    if (index < WARMUP_TASKS) continue;
    for (const subtask of task.subtasks)
      subtaskMs.push(Date.parse(subtask.finished_at) - Date.parse(subtask.started_at));
    const path = criticalPathMs(task);
    paths.set(path, (paths.get(path) ?? 0) + 1);
    overheads.push(Date.parse(task.finished_at) - Date.parse(task.created_at) - path);
    const along = overheadParts(task);
    for (const [name, ms] of Object.entries(along.parts)) parts[name].push(ms);
    chain = along.chain;
  }
  const { p50, p99, mean } = summary(overheads);
  const shown = [...paths].map(([ms, count]) => `${ms} ms × ${count}`).join(", ");
  console.log(
    `(1) one task at a time, ${SEQUENTIAL_TASKS} tasks (critical paths: ${shown}): wall time - critical path` +
      ` p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, mean ${mean.toFixed(1)} ms`,
  );
  const partsP50 = Object.fromEntries(Object.entries(parts).map(([name, values]) => [name, summary(values).p50]));
  const shares = Object.entries(partsP50).map(([name, ms]) => `${name} ${ms.toFixed(1)}`);
  console.log(`    p50 of its parts along the last-finishing chain, ms: ${shares.join(", ")}`);
  const hops = hopShares(hopsBefore, await hopTotals(simulatorMetrics, agentMetrics), subtaskMs);
  console.log(
    `    mean hops, ms: simulator beyond ${CALL_MS} ms ${hops.simulatorBeyondCallMs.toFixed(2)}/call;` +
      ` agent → simulator hop ${hops.agentToSimulatorMs.toFixed(2)}/call;` +
      ` agent's own work ${hops.agentOwnWorkMs.toFixed(2)}/subtask;` +
      ` orchestrator ↔ agent (claim to settle, beyond the execution) ${hops.orchestratorToAgentMs.toFixed(2)}/subtask` +
      ` (${hops.calls} calls, ${hops.subtasks} subtasks)`,
  );
  const criticalPaths = Object.fromEntries(paths);
  return { chain, figures: { tasks: SEQUENTIAL_TASKS, criticalPaths, p50, p99, mean, partsP50, hops } };
}

/**
 * The machine's own floor: a round trip to a process that has been idle as long as the chain's
 * processes are between its steps (a GET of the simulator's /health with the services' HTTP client,
 * a `select 1`), times the
 * round trips the chain cannot do without — each subtask's dispatch and its recorded outcome, each
 * model call, and the task's write (which claims its first stage).
 */
async function roundTripFloor(sql, simulatorHealth, chain) {
  const idleRoundTrip = async (roundTrip) => {
    const samples = [];
    for (let index = 0; index < 30; index++) {
      await new Promise((resolve) => setTimeout(resolve, CALL_MS));
      const started = performance.now();
      await roundTrip();
      samples.push(performance.now() - started);
    }
    return summary(samples).p50;
  };
  const pool = new Agent({ keepAliveTimeout: 30_000 });
  const http = await idleRoundTrip(async () => (await request(simulatorHealth, { dispatcher: pool })).body.text());
  await pool.close();
  const database = await idleRoundTrip(() => sql`select 1`);
  const httpTrips = chain.subtasks + chain.calls;
  const databaseTrips = chain.subtasks + 1;
  const totalMs = httpTrips * http + databaseTrips * database;
  console.log(
    `    this machine's round trip to a process idle for ${CALL_MS} ms: HTTP p50 ${http.toFixed(2)} ms, PostgreSQL p50` +
      ` ${database.toFixed(2)} ms; the chain makes ${httpTrips} HTTP and ${databaseTrips} PostgreSQL round trips:` +
      ` ${totalMs.toFixed(1)} ms of its overhead is round trips alone`,
  );
  return { httpMs: http, databaseMs: database, httpTrips, databaseTrips, totalMs };
}

/** IN_FLIGHT tasks at all times for SECONDS: tasks finished per second, and their wall times. */
async function throughput(sql, orchestratorUrl) {
  const ended = completions(sql);
  const walls = [];
  const statuses = {};
  const deadline = Date.now() + SECONDS * 1000;
  const started = performance.now();
  const worker = async () => {
    while (Date.now() < deadline) {
      const row = await ended(await orchestrate(orchestratorUrl));
      statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      walls.push(row.finished_at - row.created_at);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  const { p50, p99 } = summary(walls);
  const tasksPerSecond = walls.length / seconds;
  console.log(
    `(2) ${IN_FLIGHT} tasks in flight for ${SECONDS} s: ${walls.length} tasks in ${seconds.toFixed(1)} s =` +
      ` ${tasksPerSecond.toFixed(1)} tasks/s (${(tasksPerSecond * PLAN.subtasks).toFixed(0)} subtasks/s);` +
      ` wall time p50 ${p50} ms, p99 ${p99} ms; ${JSON.stringify(statuses)}`,
  );
  return { tasks: walls.length, seconds, tasksPerSecond, wallP50: p50, wallP99: p99, statuses };
}

async function main() {
  console.log(
    `node ${process.version}; simulator at ${CALL_MS} ms per call; orchestrator and agents as processes; PostgreSQL`,
  );
  const databaseUrl = await createDatabase();
  const simulator = await startSimulator(CALL_MS);
  const { orchestratorUrl, agentMetrics } = await startServices(databaseUrl, simulator.url, IN_FLIGHT);
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  const figures = {};
  try {
    const { chain, figures: sequential } = await overhead(orchestratorUrl, simulator.metrics, agentMetrics);
    figures.overhead = sequential;
    figures.floor = await roundTripFloor(sql, simulator.health, chain);
    figures.throughput = await throughput(sql, orchestratorUrl);
  } finally {
    await sql.end({ timeout: 2 });
  }
  const parameters = {
    sequentialTasks: SEQUENTIAL_TASKS,
    warmupTasks: WARMUP_TASKS,
    inFlight: IN_FLIGHT,
    seconds: SECONDS,
    callMs: CALL_MS,
  };
  printGoals(orchestrationGoals(figures, parameters));
  writeResult("orchestration", parameters, figures);
}

runGuarded(main, { watchdogMs: WATCHDOG_MS, cleanUp: dropDatabases });
