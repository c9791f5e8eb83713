// The issues' goals for each benchmark, judged from its figures: the benchmarks print them and
// BENCHMARKS.md states them, from this one place. A goal is { issue, target, measured, met }.

const ratio = (value) => `${value.toFixed(2)}×`;
const ms = (value, digits = 3) => `${value.toFixed(digits)} ms`;
const percent = (value) => `${(100 * value).toFixed(1)}%`;

/** Memory "returns near its starting level" when each process ends within this factor of its live heap after warm-up. */
export const MEMORY_RETURN_FACTOR = 1.5;
/** Memory has stopped growing when each process ends the second half of the soak within this factor of the first's. */
export const MEMORY_PLATEAU_FACTOR = 1.1;

/** Issue 3: each endpoint at least 3× FastAPI's requests/s, with a p99 under 20 ms. */
export function httpGoals(figures, parameters) {
  return [...new Set(figures.rows.map((row) => row.endpoint))].map((endpoint) => {
    const of = (server) => figures.rows.find((row) => row.server === server && row.endpoint === endpoint);
    const devtools = of("devtools");
    const times = devtools.rps / of("fastapi").rps;
    return {
      issue: 3,
      target: `${endpoint}, ${parameters.connections} connections: ≥ 3× FastAPI's requests/s, p99 < 20 ms`,
      measured: `${ratio(times)}, p99 ${devtools.p99} ms`,
      met: times >= 3 && devtools.p99 < 20,
    };
  });
}

/** Issue 3: the inference client's overhead and throughput. */
export function inferenceGoals(figures, parameters) {
  const variants = figures.overhead;
  const added = variants["client.chat"].p50 - variants["raw undici.request"].p50;
  const { raw, client } = figures.throughput;
  const share = client.rate / raw.capacity;
  const maxRunning = Math.max(client.running.max, client.clientMaxInFlight);
  return [
    {
      issue: 3,
      target: "the client adds < 0.5 ms at p50 over a raw HTTP POST (undici.request)",
      measured: `+${ms(added)}`,
      met: added < 0.5,
    },
    {
      issue: 3,
      target: `${parameters.subtasks} concurrent structured subtasks reach ≥ 95% of the backend's capacity, never more than max_num_seqs (${parameters.maxNumSeqs}) running`,
      measured: `${percent(share)}, at most ${maxRunning} running`,
      met: share >= 0.95 && maxRunning <= parameters.maxNumSeqs,
    },
  ];
}

/** Issue 4: the overhead over the critical path, and every task succeeding with many in flight. */
export function orchestrationGoals(figures, parameters) {
  const { overhead, throughput } = figures;
  const succeeded = throughput.statuses.succeeded ?? 0;
  return [
    {
      issue: 4,
      target: "wall time − critical path < 10 ms at p50 (one task at a time)",
      measured: ms(overhead.p50, 1),
      met: overhead.p50 < 10,
    },
    {
      issue: 4,
      target: `tasks per second with ${parameters.inFlight} in flight, every task succeeding`,
      measured: `${throughput.tasksPerSecond.toFixed(1)} tasks/s, ${succeeded} of ${throughput.tasks} succeeded`,
      met: succeeded === throughput.tasks,
    },
  ];
}

/** Issue 5: what the gateway's /mcp adds to a call. */
export function mcpGatewayGoals(figures) {
  const added = figures.gateway.p50 - figures.direct.p50;
  return [{ issue: 5, target: "the gateway adds < 1 ms at p50", measured: ms(added), met: added < 1 }];
}

/** Issue 8: the soak loses nothing and gives its memory back; many connections get no errors. */
export function loadGoals(figures, parameters) {
  const goals = [];
  const { soak, connections } = figures;
  if (soak) {
    const succeeded = soak.statuses.succeeded ?? 0;
    const worst = (from) => Math.max(...soak.memory.map((entry) => entry.liveHeap.end / entry.liveHeap[from]));
    const [returned, plateau] = [worst("start"), worst("mid")];
    goals.push(
      {
        issue: 8,
        target: `${parameters.tasks} tasks through the simulator with ${parameters.inFlight} in flight: all succeed`,
        measured: `${succeeded} of ${parameters.tasks} succeeded, ${soak.lost} lost`,
        met: succeeded === parameters.tasks && soak.lost === 0,
      },
      {
        issue: 8,
        target: `memory returns near its starting level (every process's live heap at the end ≤ ${MEMORY_RETURN_FACTOR}× after warm-up)`,
        measured: `worst end/start ${Number.isFinite(returned) ? ratio(returned) : "n/a"}`,
        met: Number.isFinite(returned) && returned <= MEMORY_RETURN_FACTOR,
      },
      {
        issue: 8,
        target: `no leak: no process's live heap grows over the second half of the soak (end ≤ ${MEMORY_PLATEAU_FACTOR}× after the first half)`,
        measured: `worst end/mid ${Number.isFinite(plateau) ? ratio(plateau) : "n/a"}`,
        met: Number.isFinite(plateau) && plateau <= MEMORY_PLATEAU_FACTOR,
      },
    );
  }
  if (connections) {
    const devtools = connections.rows.find((row) => row.server === "devtools");
    const errors = devtools.non2xx + devtools.errors;
    goals.push({
      issue: 8,
      target: `${parameters.connections} concurrent connections on POST /orchestrate for ${parameters.seconds} s: zero errors`,
      measured: `${errors} errors, p50 ${devtools.p50} ms, p99 ${devtools.p99} ms`,
      met: errors === 0,
    });
  }
  return goals;
}

export function printGoals(goals) {
  console.log();
  for (const goal of goals)
    console.log(`goal (issue ${goal.issue}): ${goal.target}: ${goal.measured} — ${goal.met ? "met" : "NOT met"}`);
}
