// BENCHMARKS.md, "Load and soak": 2,000 tasks with 100 in flight, and 500 connections on POST /orchestrate.

import { loadGoals, MEMORY_PLATEAU_FACTOR, MEMORY_RETURN_FACTOR } from "../../support/goals.mjs";
import { mebibytes } from "../../support/memory.mjs";
import { DESCRIPTION, PLAN } from "../../support/stack.mjs";
import { envLine, fixed, table, times } from "../markdown.mjs";

const counts = (byStatus) =>
  Object.entries(byStatus ?? {})
    .map(([status, count]) => `${status} ${count}`)
    .join(", ") || "none";

function soakPart(p, soak) {
  return `
**(a) Soak**: ${p.tasks} tasks in two halves, ${p.inFlight} in flight, ${p.callMs} ms per model call, after ${p.warmupTasks} warm-up tasks:
${fixed(soak.seconds)} s, ${fixed(soak.tasksPerSecond)} tasks/s, task wall time p50 ${fixed(soak.wallP50 / 1000)} s, p99 ${fixed(soak.wallP99 / 1000)} s.

${table(
  ["", "tasks by final state"],
  [
    ["as the client saw them", counts(soak.statuses)],
    ["as stored", counts(soak.stored)],
    ["their subtasks as stored", counts(soak.storedSubtasks)],
  ],
)}

${table(
  [
    "process",
    "live heap after warm-up",
    "after the first half",
    "at the end",
    "end / start",
    "end / first half",
    "RSS: start → half → end (peak)",
  ],
  soak.memory.map(({ process, liveHeap, rss }) => [
    process,
    mebibytes(liveHeap.start),
    mebibytes(liveHeap.mid),
    mebibytes(liveHeap.end),
    times(liveHeap.end / liveHeap.start),
    times(liveHeap.end / liveHeap.mid),
    `${[rss.start, rss.mid, rss.end].map(mebibytes).join(" → ")} (${mebibytes(rss.peak)})`,
  ]),
)}

The live heap is read through each process's inspector after two full garbage collections
(\`HeapProfiler.collectGarbage\`, then \`Runtime.getHeapUsage\`), so it counts what the process still
holds; RSS is shown beside it, but V8 and the allocator keep freed pages for reuse and give them back
to the system when they choose, so RSS after a burst stays high without anything being held.
`;
}

function connectionsPart(p, connections) {
  const of = (server) => connections.rows.find((row) => row.server === server);
  const [devtools, fastapi] = [of("devtools"), of("fastapi")];
  return `
**(b) ${p.connections} concurrent connections on \`POST /orchestrate\` for ${p.seconds} s** (after ${p.warmupSeconds} s of warm-up), each server
alone under load: devtools/FastAPI requests/s **${times(devtools.rps / fastapi.rps)}**.

${table(
  [
    "server",
    "requests",
    "requests/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "non-2xx",
    "errors",
    "of which timeouts",
    "RSS before → peak",
    "CPU % server",
    "postgres",
    "load gen",
  ],
  connections.rows.map((row) => [
    row.server,
    row.requests,
    fixed(row.rps),
    row.p50,
    row.p99,
    row.max,
    row.non2xx,
    row.errors,
    row.timeouts,
    `${mebibytes(row.startBytes)} → ${mebibytes(row.peakBytes)}`,
    fixed(row.cpu?.server, 0),
    fixed(row.cpu?.postgres, 0),
    fixed(row.cpu?.client, 0),
  ]),
)}

${
  connections.differingPlans.length === 0
    ? "Both servers answered the same plans before the load (ids and times aside)."
    : `**Warning**: the two servers planned differently for: ${connections.differingPlans.map((text) => `"${text}"`).join(", ")}.`
}
`;
}

export const load = {
  name: "load",
  script: "bench/load.mjs",
  title: "Load and soak: thousands of tasks through the whole path, hundreds of connections",
  goals: (result) => loadGoals(result.figures, result.parameters),
  render({ parameters: p, figures }) {
    return `
**Anchors**: for the soak, its own start — each process's memory after warm-up, and every task accepted; for the
connections, the FastAPI + uvicorn + asyncpg equivalent (\`bench/fastapi/app.py\`) under the same load in the same run.

\`\`\`sh
${envLine({
  BENCH_PHASES: p.phases.join(","),
  BENCH_TASKS: p.tasks,
  BENCH_IN_FLIGHT: p.inFlight,
  BENCH_WARMUP_TASKS: p.warmupTasks,
  BENCH_CALL_MS: p.callMs,
  BENCH_SETTLE_SECONDS: p.settleSeconds,
  BENCH_CONNECTIONS: p.connections,
  BENCH_SECONDS: p.seconds,
  BENCH_WARMUP_SECONDS: p.warmupSeconds,
})} node bench/load.mjs
\`\`\`
${figures.soak ? soakPart(p, figures.soak) : "\n(a) Soak: not run (`BENCH_PHASES`).\n"}${
  figures.connections ? connectionsPart(p, figures.connections) : "\n(b) Connections: not run (`BENCH_PHASES`).\n"
}
#### Method

- **(a) Soak.** The stack of the orchestration benchmark (simulator at a fixed latency per call, the five agents
  and the orchestrator as processes, a fresh PostgreSQL database, limits that do not bind). ${p.inFlight} client loops
  post "${DESCRIPTION}" (${PLAN.subtasks} subtasks in ${PLAN.stages} stages) and wait for each task to end
  (one database query every 5 ms watches them all), until ${p.tasks} tasks have been posted. A task whose \`POST\`
  fails is counted \`rejected\`, one that has not ended after ${p.taskTimeoutSeconds} s \`lost\`; the benchmark exits non-zero
  unless every task succeeded. The stored states of those tasks and of their subtasks are counted as well.
- **Memory.** Every process starts with its inspector open on a loopback port (\`--inspect=127.0.0.1:0\`). After the
  warm-up tasks, after the first half of the tasks and after the second, each time after ${p.settleSeconds} s without load, the
  benchmark collects each process's garbage through it and reads the heap still in use (its live heap), and its
  resident set (\`VmRSS\` from \`/proc\`); the RSS is also sampled every 250 ms for its peak. "Returns near its starting
  level" is taken as a live heap at the end ≤ ${MEMORY_RETURN_FACTOR}× the one after warm-up, for every process. Not all growth
  is a leak: each agent keeps the results of its last \`IDEMPOTENCY_MAX_ENTRIES\` executions (for replays), and the
  simulator's prefix cache fills up to its bound. A leak grows with the number of tasks, so the second check
  compares the end with the reading after the first half (end ≤ ${MEMORY_PLATEAU_FACTOR}×): bounded caches full by then stop growing.
- **(b) Connections.** The servers of the HTTP benchmark (the orchestrator as deployed, and the FastAPI app), each
  on its own fresh database. Both answer the same plans first; then each in turn gets a ${p.warmupSeconds} s warm-up and
  ${p.seconds} s of autocannon with ${p.connections} keep-alive connections cycling through the HTTP benchmark's descriptions, and
  is stopped before the other is measured. Errors are non-2xx answers, socket errors (resets, refused) and
  timeouts (autocannon's 10 s); p50/p99 are autocannon's latency percentiles.
`;
  },
};
