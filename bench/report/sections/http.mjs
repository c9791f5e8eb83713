// BENCHMARKS.md, "HTTP": the orchestrator's GET /health and POST /orchestrate against FastAPI.

import { httpGoals } from "../../support/goals.mjs";
import { envLine, fixed, table, times } from "../markdown.mjs";

export const http = {
  name: "http",
  script: "bench/http.mjs",
  title: "HTTP: GET /health and POST /orchestrate against FastAPI + uvicorn + asyncpg",
  goals: (result) => httpGoals(result.figures, result.parameters),
  render({ parameters: p, figures }) {
    const cpu = (row, key) => fixed(row.cpu?.[key], 0);
    const endpoints = [...new Set(figures.rows.map((row) => row.endpoint))];
    const ratios = endpoints.map((endpoint) => {
      const of = (server) => figures.rows.find((row) => row.server === server && row.endpoint === endpoint);
      return [
        endpoint,
        times(of("devtools").rps / of("fastapi").rps),
        `${of("devtools").p99} / ${of("fastapi").p99} ms`,
      ];
    });
    return `
**Anchor**: the same two endpoints written the usual FastAPI way (\`bench/fastapi/app.py\`: FastAPI + uvicorn +
asyncpg), measured on the same machine in the same run.

\`\`\`sh
${envLine({ BENCH_SECONDS: p.seconds, BENCH_WARMUP_SECONDS: p.warmupSeconds, BENCH_CONNECTIONS: p.connections })} node bench/http.mjs
\`\`\`

${table(["endpoint", "devtools / FastAPI requests/s", "p99 devtools / FastAPI"], ratios)}

${table(
  [
    "server",
    "endpoint",
    "requests/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "errors",
    "CPU % server",
    "postgres",
    "load gen",
    "other",
    "machine",
  ],
  figures.rows.map((row) => [
    row.server,
    row.endpoint,
    fixed(row.rps),
    row.p50,
    row.p99,
    row.non2xx,
    row.errors,
    cpu(row, "server"),
    cpu(row, "postgres"),
    cpu(row, "client"),
    cpu(row, "other"),
    cpu(row, "machine"),
  ]),
)}

${
  figures.differingPlans.length === 0
    ? `Before the load, both servers answered the same plans for all ${figures.descriptions} descriptions (ids and times aside).`
    : `**Warning**: the two servers planned differently for: ${figures.differingPlans.map((text) => `"${text}"`).join(", ")}.`
}

#### Method

- **Servers.** Each server gets a fresh database (\`devtools_bench_<random>\`) and a free loopback port. The
  orchestrator runs as it is deployed (\`node services/orchestrator/src/main.ts\`, \`LOG_LEVEL=warn\`,
  \`DATABASE_URL\`), applies its migrations at start and uses its default pool of 10 connections; its execution
  engine is on, but no agent is running, so it claims the first subtasks, finds the agents unreachable, pauses
  them and probes now and then. \`bench/fastapi/app.py\` runs under \`python3 -m uvicorn app:app --workers 1
  --log-level warning --no-access-log\`.
- **The FastAPI baseline** is the same two endpoints: \`GET /health\` returns the same JSON; \`POST /orchestrate\`
  validates the body with a pydantic model (description 1..20000 characters after trimming, priority
  \`low|medium|high|critical\` defaulting to \`medium\`, unknown fields rejected), runs a compact Python port of
  the rule planner (same keyword signals, dependencies, stages, critical path and estimates), inserts the
  \`tasks\` row and then the \`subtasks\` rows with \`executemany\` in one transaction through an asyncpg pool of 10
  connections, and answers 201 with the orchestrator's JSON, field for field, and a \`location\` header.
- **Equivalence check.** Before any load, every description is posted to both servers and the answers are
  compared with ids and times normalised (the line above says how it came out).
- **Load.** For each endpoint, then each server: a ${p.warmupSeconds} s autocannon warm-up, then ${p.seconds} s measured with
  ${p.connections} connections, HTTP/1.1 keep-alive, no pipelining. \`POST /orchestrate\` cycles through
  ${figures.descriptions} realistic descriptions with mixed priorities (a one-line bug fix to a five-line bullet list, plans of
  1 to 5 subtasks); both servers get the same set.
- **Figures.** requests/s is autocannon's mean of its per-second samples; p50 and p99 its latency percentiles
  (whole milliseconds); errors are socket errors and timeouts. CPU % comes from \`/proc\` over the measured
  seconds: the server process, all \`postgres\` processes, the load generator, and the whole machine (100 = one
  core); "other" is the machine minus those three, and shows when something else was competing (a few points
  either way are accounting noise).

#### Where the time goes

- **POST /orchestrate** writes a task and all its subtasks with **one prepared statement** (\`INSERT … WITH
  new_tasks AS (INSERT INTO tasks … FROM jsonb_to_recordset($1)) INSERT INTO subtasks … FROM
  jsonb_to_recordset($2)\`): atomic without \`BEGIN\`/\`COMMIT\`, and since the rows travel as two JSON parameters the
  text never changes and the statement stays prepared — one round trip, Bind/Execute only
  (\`services/orchestrator/src/tasks/task-store.ts\`). A transaction of one statement per table through postgres.js, which
  sends an unprepared statement as Parse/Describe and then Bind/Execute, cost two round trips and two
  \`write(2)\`s per statement, \`BEGIN\` and \`COMMIT\` included; on a VM a loopback write that wakes PostgreSQL costs
  a large share of the writer's time slice.
- **Group commit.** \`TaskWriter\` (\`tasks/task-writer.ts\`) keeps at most two statements in flight; tasks that
  arrive meanwhile go together in the next one (one round trip, one commit, one WAL flush for all of them), and
  each request still answers only once its own task is committed. A failing batch is retried task by task, so
  one bad task fails alone. FastAPI's requests each wait for a commit of their own.
- **Body limit without a web Request.** The body-size limit checks a declared \`Content-Length\` without touching
  \`raw.body\`, so @hono/node-server reads POST bodies on its fast path straight from the socket.
- **GET /health** is server-bound: mostly the response's \`write(2)\` and the per-request middleware (request id,
  child logger, prom-client histogram).

#### Fairness

- The baseline keeps the usual asyncpg write (a transaction, \`execute\` then \`executemany\`), which is how
  FastAPI code is normally written; group commit is the part it does not have.
- FastAPI does less per request: the orchestrator also gives each request a request id and an \`x-request-id\`
  header, a child logger, a prom-client histogram, a body-size limit and a content-type check.
- Validation errors differ (FastAPI's default 422 body against the orchestrator's 400 problem+json); no benchmark
  request is invalid.
- FastAPI runs Debian's stock uvicorn with pure-Python \`h11\`; \`uvicorn[standard]\` (httptools, uvloop) would be
  faster.
- autocannon shares the cores with the servers and PostgreSQL; its CPU share is in the table.
`;
  },
};
