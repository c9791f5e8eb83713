// Load and soak benchmark (issue 8), two phases:
//
// (a) Soak: 2,000 tasks through the whole execution path (the orchestrator, the five agents and the
//     inference simulator as processes, on a fresh PostgreSQL database, as in orchestration.mjs) with
//     100 in flight, in two halves. Every task must end `succeeded`: the run counts them by final
//     state, as the client saw them and as stored, and exits non-zero when one is lost or did not
//     succeed. Every process's live heap (through its inspector: full garbage collection, then the
//     heap in use) and RSS are read after warm-up, after each half, each time after a settle, and RSS
//     is sampled for its peak: the live heap's end/start says whether memory returns near its start,
//     end/mid whether it still grows (RSS is shown too, but V8 keeps freed pages for reuse).
// (b) Connections: 500 concurrent keep-alive connections on POST /orchestrate for 60 s against the
//     orchestrator as deployed, then against the FastAPI + uvicorn + asyncpg equivalent
//     (bench/fastapi/app.py) the same way, each on its own fresh database: errors (non-2xx, socket
//     errors, timeouts), requests/s, p50/p99.
//
//   node bench/load.mjs                        # both phases, the numbers
//   BENCH_PHASES=soak BENCH_TASKS=200 node bench/load.mjs
//   node bench/load.mjs --json out.json        # also write the figures as JSON
//
// Environment: BENCH_PHASES (soak,connections), BENCH_TASKS (2000), BENCH_IN_FLIGHT (100),
// BENCH_WARMUP_TASKS (100), BENCH_CALL_MS (200), BENCH_SETTLE_SECONDS (10),
// BENCH_TASK_TIMEOUT_SECONDS (300), BENCH_CONNECTIONS (500), BENCH_SECONDS (60),
// BENCH_WARMUP_SECONDS (5), BENCH_POSTGRES_URL (an admin connection), BENCH_PYTHON (/usr/bin/python3).

import { setTimeout as sleep } from "node:timers/promises";
import { load } from "./support/autocannon.mjs";
import { cpuMeter } from "./support/cpu.mjs";
import { createDatabase, dropDatabases, postgres } from "./support/databases.mjs";
import { loadGoals, printGoals } from "./support/goals.mjs";
import { inspectorUrl, liveHeapBytes } from "./support/inspector.mjs";
import { mebibytes, rssBytes, watchMemory } from "./support/memory.mjs";
import { runGuarded } from "./support/processes.mjs";
import { writeResult } from "./support/result.mjs";
import { checkPlans, ORCHESTRATE_REQUESTS, startDevtools, startFastApi } from "./support/servers.mjs";
import { completions, orchestrate, startServices, startSimulator } from "./support/stack.mjs";
import { summary } from "./support/stats.mjs";

const PHASES = (process.env.BENCH_PHASES ?? "soak,connections").split(",");
const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 100);
const WARMUP_TASKS = Number(process.env.BENCH_WARMUP_TASKS ?? 100);
const CALL_MS = Number(process.env.BENCH_CALL_MS ?? 200);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 10);
const TASK_TIMEOUT_SECONDS = Number(process.env.BENCH_TASK_TIMEOUT_SECONDS ?? 300);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
// The soak at a pessimistic 5 tasks/s, three settles, two servers under load, start-ups and teardown.
const WATCHDOG_MS =
  ((TASKS + WARMUP_TASKS) / 5 + 3 * SETTLE_SECONDS + TASK_TIMEOUT_SECONDS + 2 * (SECONDS + WARMUP_SECONDS) + 180) *
  1000;

const countBy = (values) => {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

/**
 * `count` tasks, `inFlight` at a time, each posted then awaited: how each ended as the client saw
 * it (`outcomes`), the ids of the accepted ones, and their wall times. A task whose POST failed is `rejected`; one
 * that did not end within the task timeout is `lost`.
 */
async function runTasks(orchestratorUrl, ended, count, inFlight) {
  const outcomes = [];
  const ids = [];
  const walls = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      let id;
      try {
        id = await orchestrate(orchestratorUrl);
      } catch (error) {
        console.error(`  rejected: ${error.message}`);
        outcomes.push("rejected");
        continue;
      }
      ids.push(id);
      const row = await Promise.race([ended(id), sleep(TASK_TIMEOUT_SECONDS * 1000, undefined, { ref: false })]);
      outcomes.push(row?.status ?? "lost");
      if (row) walls.push(row.finished_at - row.created_at);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { outcomes, ids, walls, seconds: (performance.now() - started) / 1000 };
}

/** Each process's live heap (after full garbage collections) and RSS, after `SETTLE_SECONDS` of quiet. */
async function settledMemory(processes) {
  await sleep(SETTLE_SECONDS * 1000);
  const reading = {};
  for (const process_ of processes) {
    const url = inspectorUrl(process_.output);
    if (!url) throw new Error(`${process_.name} printed no inspector address`);
    reading[process_.name] = { liveHeap: await liveHeapBytes(url), rss: rssBytes(process_.child.pid) };
  }
  return reading;
}

/**
 * (a) The soak, in two halves each followed by a settle: memory after warm-up (start), after the first
 * half (mid) and after the second (end). Growth from mid to end is what a leak looks like; a bounded
 * cache filling up shows as growth from start to mid only.
 */
async function soak() {
  const databaseUrl = await createDatabase();
  const simulator = await startSimulator(CALL_MS, { inspect: true });
  const stack = await startServices(databaseUrl, simulator.url, IN_FLIGHT, { inspect: true });
  const processes = [...stack.processes, simulator];
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  try {
    const ended = completions(sql);
    await runTasks(stack.orchestratorUrl, ended, WARMUP_TASKS, IN_FLIGHT);
    const start = await settledMemory(processes);
    const watch = watchMemory(Object.fromEntries(processes.map((process_) => [process_.name, process_.child.pid])));
    const halves = [];
    halves.push(await runTasks(stack.orchestratorUrl, ended, Math.ceil(TASKS / 2), IN_FLIGHT));
    const mid = await settledMemory(processes);
    halves.push(await runTasks(stack.orchestratorUrl, ended, Math.floor(TASKS / 2), IN_FLIGHT));
    const peak = watch.stop();
    const end = await settledMemory(processes);
    const ids = halves.flatMap((half) => half.ids);
    const walls = halves.flatMap((half) => half.walls);
    const seconds = halves.reduce((sum, half) => sum + half.seconds, 0);
    const statuses = countBy(halves.flatMap((half) => half.outcomes));
    const stored = await sql`
      select status, count(*)::int as count from tasks where id = any(${ids}) group by status order by status`;
    const storedSubtasks = await sql`
      select status, count(*)::int as count from subtasks where task_id = any(${ids}) group by status order by status`;
    const { p50, p99 } = summary(walls);
    const figures = {
      statuses,
      lost: (statuses.lost ?? 0) + (statuses.rejected ?? 0),
      stored: Object.fromEntries(stored.map((row) => [row.status, row.count])),
      storedSubtasks: Object.fromEntries(storedSubtasks.map((row) => [row.status, row.count])),
      seconds,
      tasksPerSecond: walls.length / seconds,
      wallP50: p50,
      wallP99: p99,
      memory: processes.map(({ name }) => ({
        process: name,
        liveHeap: { start: start[name].liveHeap, mid: mid[name].liveHeap, end: end[name].liveHeap },
        rss: { start: start[name].rss, mid: mid[name].rss, end: end[name].rss, peak: peak[name] },
      })),
    };
    console.log(
      `(a) soak: ${TASKS} tasks, ${IN_FLIGHT} in flight, ${CALL_MS} ms per model call: ${seconds.toFixed(1)} s,` +
        ` ${figures.tasksPerSecond.toFixed(1)} tasks/s, wall time p50 ${p50} ms, p99 ${p99} ms`,
    );
    console.log(
      `    as the client saw them: ${JSON.stringify(statuses)}; as stored: ${JSON.stringify(figures.stored)};`,
    );
    console.log(`    their subtasks as stored: ${JSON.stringify(figures.storedSubtasks)}`);
    for (const entry of figures.memory) {
      const { liveHeap: heap, rss } = entry;
      console.log(
        `    ${entry.process.padEnd(15)} live heap start ${mebibytes(heap.start)}, mid ${mebibytes(heap.mid)},` +
          ` end ${mebibytes(heap.end)} (end/start ${(heap.end / heap.start).toFixed(2)}, end/mid` +
          ` ${(heap.end / heap.mid).toFixed(2)}); RSS ${mebibytes(rss.start)} → ${mebibytes(rss.mid)} →` +
          ` ${mebibytes(rss.end)}, peak ${mebibytes(rss.peak)}`,
      );
    }
    return figures;
  } finally {
    await sql.end({ timeout: 2 });
    for (const process_ of processes) await process_.stop();
  }
}

/** (b) Many connections on POST /orchestrate, devtools then FastAPI, each alone on the machine while measured. */
async function connections() {
  const servers = [await startDevtools(await createDatabase()), await startFastApi(await createDatabase())];
  const differingPlans = await checkPlans(servers);
  const rows = [];
  for (const server of servers) {
    const options = { requests: ORCHESTRATE_REQUESTS, connections: CONNECTIONS };
    if (WARMUP_SECONDS > 0) await load(server.url, { ...options, seconds: WARMUP_SECONDS });
    const memory = watchMemory({ [server.name]: server.child.pid });
    const startBytes = memory.now()[server.name];
    const meter = cpuMeter(server.child.pid);
    const result = await load(server.url, { ...options, seconds: SECONDS });
    const cpu = meter();
    const peakBytes = memory.stop()[server.name];
    await server.stop();
    rows.push({ server: server.name, ...result, cpu, startBytes, peakBytes });
    console.log(
      `(b) ${server.name}, ${CONNECTIONS} connections for ${SECONDS} s on POST /orchestrate: ${result.rps.toFixed(1)} requests/s,` +
        ` p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; non-2xx ${result.non2xx},` +
        ` errors ${result.errors} (of which timeouts ${result.timeouts}); RSS ${mebibytes(startBytes)} → peak ${mebibytes(peakBytes)}`,
    );
  }
  return { differingPlans, rows };
}

async function main() {
  console.log(`node ${process.version}; phases: ${PHASES.join(", ")}`);
  const figures = {};
  if (PHASES.includes("soak")) figures.soak = await soak();
  if (PHASES.includes("connections")) figures.connections = await connections();
  await dropDatabases();
  const parameters = {
    phases: PHASES,
    tasks: TASKS,
    inFlight: IN_FLIGHT,
    warmupTasks: WARMUP_TASKS,
    callMs: CALL_MS,
    settleSeconds: SETTLE_SECONDS,
    taskTimeoutSeconds: TASK_TIMEOUT_SECONDS,
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
  };
  printGoals(loadGoals(figures, parameters));
  writeResult("load", parameters, figures);
  const succeeded = figures.soak?.statuses.succeeded ?? TASKS;
  if (succeeded !== TASKS) throw new Error(`soak: ${TASKS - succeeded} of ${TASKS} tasks lost or not succeeded`);
}

runGuarded(main, { watchdogMs: WATCHDOG_MS, cleanUp: dropDatabases });
