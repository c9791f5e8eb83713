// BENCHMARKS.md, "Orchestration": the time the platform adds to a plan's critical path, and tasks per second.

import { orchestrationGoals } from "../../support/goals.mjs";
import { DESCRIPTION, PLAN } from "../../support/stack.mjs";
import { envLine, fixed, ms, table } from "../markdown.mjs";

export const orchestration = {
  name: "orchestration",
  script: "bench/orchestration.mjs",
  title: "Orchestration: overhead over the critical path, and tasks per second",
  goals: (result) => orchestrationGoals(result.figures, result.parameters),
  render({ parameters: p, figures: { overhead, floor, throughput } }) {
    const paths = Object.entries(overhead.criticalPaths)
      .map(([path, count]) => `${path} ms × ${count}`)
      .join(", ");
    const hops = overhead.hops;
    return `
**Anchor**: the critical path — the longest chain of model calls through the plan at a fixed ${p.callMs} ms each, the
physical limit of a task — and, beside it, this machine's floor: the round trips that chain cannot do without,
each to a process that has been idle as long as the chain's processes are between steps.

\`\`\`sh
${envLine({
  BENCH_SEQUENTIAL_TASKS: p.sequentialTasks,
  BENCH_WARMUP_TASKS: p.warmupTasks,
  BENCH_IN_FLIGHT: p.inFlight,
  BENCH_SECONDS: p.seconds,
  BENCH_CALL_MS: p.callMs,
})} node bench/orchestration.mjs
\`\`\`

**(1) One task at a time**, ${overhead.tasks} tasks (critical paths: ${paths}):

${table(
  [
    "wall − critical path p50",
    "p99",
    "mean",
    "parts (p50): start / agents / hand-offs / end",
    "round-trip floor of the chain",
  ],
  [
    [
      ms(overhead.p50, 1),
      ms(overhead.p99, 1),
      ms(overhead.mean, 1),
      `${["start", "agents", "handoffs", "end"].map((name) => fixed(overhead.partsP50[name], 0)).join(" / ")} ms`,
      `${ms(floor.totalMs, 1)} (${floor.httpTrips} HTTP × ${ms(floor.httpMs, 2)}, ${floor.databaseTrips} PostgreSQL × ${ms(floor.databaseMs, 2)})`,
    ],
  ],
)}

Where the \`agents\` part goes, from the services' own histograms over the measured tasks (${hops.calls} model calls,
${hops.subtasks} subtasks):

${table(
  ["hop", "mean"],
  [
    [`the simulator beyond its ${p.callMs} ms, per call`, ms(hops.simulatorBeyondCallMs, 2)],
    [
      "the agent's HTTP call to the simulator beyond the simulator's own time, per call",
      ms(hops.agentToSimulatorMs, 2),
    ],
    ["the agent's own work (prompt, validation, checks), per subtask", ms(hops.agentOwnWorkMs, 2)],
    [
      "the orchestrator's side of a dispatch (claim to recorded outcome, beyond the agent's execution), per subtask",
      ms(hops.orchestratorToAgentMs, 2),
    ],
  ],
)}

**(2) ${p.inFlight} tasks in flight for ${p.seconds} s**: ${throughput.tasks} tasks in ${fixed(throughput.seconds)} s = **${fixed(throughput.tasksPerSecond)} tasks/s**
(${fixed(throughput.tasksPerSecond * PLAN.subtasks, 0)} subtasks/s); task wall time p50 ${fixed(throughput.wallP50 / 1000)} s, p99 ${fixed(throughput.wallP99 / 1000)} s;
final states ${Object.entries(throughput.statuses)
      .map(([status, count]) => `${status} ${count}`)
      .join(", ")}.

#### Method

- **The stack as in production**: the inference simulator (\`--ttft-ms ${p.callMs}\`, decode and prefill instant,
  \`--max-num-seqs 4096\`), the five agents and the orchestrator, each its own process, on a fresh PostgreSQL
  database. The orchestrator's limits are raised so that they do not bind (\`EXECUTION_CONCURRENCY\`,
  \`AGENT_CONCURRENCY\`); it has no inference backend, so it plans with the rules and every model call is an agent's.
- **(1) Overhead.** "${DESCRIPTION}" with \`planner: rules\` (${PLAN.subtasks} subtasks, ${PLAN.stages} stages), one
  task at a time after ${p.warmupTasks} warm-up tasks, each posted with \`Prefer: wait\` so that nothing polls the database
  meanwhile. Wall time is the task's stored \`finished_at − created_at\`. The critical
  path counts the repair round of a subtask whose result says \`repaired\`: the simulator's first answer to the
  code-review agent fails the review's cross-field checks, as a schema-following but careless model would. The
  parts are measured along the chain of subtasks that finished last, from the stored times: \`start\` from the
  task's creation to its first dispatch; \`agents\` each subtask's dispatch-to-recorded time beyond its model calls;
  \`hand-offs\` from a subtask's recorded end to its dependant's dispatch; \`end\` from the last subtask to the task's end.
- **The floor** is a round trip with the services' HTTP client (undici) to the simulator after ${p.callMs} ms of idleness,
  and a \`select 1\` after the same, times the chain's round trips (each dispatch and recorded outcome, each model
  call, the task's write, which claims its first stage).
- **(2) Throughput.** ${p.inFlight} client loops, each posting a task and waiting for it to end. One database query every
  5 ms watches all of them, so that watching does not load the database.

#### Where the time goes

- **No claim of its own on the chain** (\`services/orchestrator/src/execution/engine.ts\`): the transaction that
  writes a task claims its first stage, and a success's transaction claims the dependants it frees, each in the same
  pipelined transaction (\`Database.pipeline\`: BEGIN, the statements and COMMIT written at once on one reserved
  connection); a dependant is dispatched as soon as the commit returns, and the hand-offs part stays near zero. A
  dispatch that ends claims again only when work waits for its capacity, so that between the engine's polls
  nothing else queries the database while the chain runs.
- **The simulator's own CPU** (\`packages/inference-simulator/src/tokenizer.ts\`, \`prefix-cache.ts\`): it tokenizes and
  names the KV blocks of every prompt, on the cores the stack shares; ids computed from the code points and a
  64-bit non-cryptographic block hash (as vLLM's \`xxhash\` option) halved its CPU per request.
- **The simulator's latency counts from a request's arrival**, as vLLM's time to first token does, and it does its
  bookkeeping after the answer has gone out.
- **What stays is messages between idle processes.** Each dispatch, model call and recorded outcome is one, and
  recording an outcome before its dependants start is what makes a crash lose nothing. On a VM whose vCPUs halt
  when idle, a write to a socket whose reader is idle costs the writer far more than back to back (waking the
  reader's vCPU goes through the hypervisor), and the reader then takes its time to run; the floor above measures
  exactly that on this machine. Beyond the floor, the largest parts are the transaction that records an outcome and
  claims the next stage (its statements run one after another, and its commit waits for the WAL flush), and in
  each agent the OpenAI SDK's request and response handling; the rest is spread thin across Node's HTTP stack,
  undici, zod and the garbage collector, and across processes that share the cores at every stage change
  (profiles: \`BENCH_CPU_PROF_DIR=/tmp/prof node bench/orchestration.mjs\`).
- **With many tasks in flight**, the six Node processes, the simulator and PostgreSQL share the machine's cores:
  tasks queue for CPU, not for the limits, which is why a task's wall time is far above its critical path.
`;
  },
};
