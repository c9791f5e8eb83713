// HTTP benchmark: the orchestrator's GET /health and POST /orchestrate against the same two endpoints
// written with FastAPI + uvicorn + asyncpg (bench/fastapi/app.py), each server on its own fresh
// PostgreSQL database, driven by autocannon from this process. Method and results: BENCHMARKS.md.
//
//   node bench/http.mjs                       # 32 connections, 10 s per server and endpoint
//   BENCH_SECONDS=3 node bench/http.mjs       # shorter run (or --seconds=3)
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (32),
// BENCH_POSTGRES_URL (an admin connection; postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_PYTHON (/usr/bin/python3, the interpreter with Debian's python3-fastapi, -uvicorn, -asyncpg).

import { readdirSync, readFileSync } from "node:fs";
import autocannon from "autocannon";
import { createDatabase, dropDatabases } from "./support/databases.mjs";
import { freePort, runGuarded, startProcess } from "./support/processes.mjs";

const secondsArg = process.argv.find((arg) => arg.startsWith("--seconds="))?.split("=")[1];
const SECONDS = Number(secondsArg ?? process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
const START_TIMEOUT_MS = 30_000;
// Two servers × two endpoints × (warm-up + measurement), plus start-up and teardown.
const WATCHDOG_MS = (4 * (SECONDS + WARMUP_SECONDS) + 60) * 1000 + 2 * START_TIMEOUT_MS;

/** Requests of several shapes (one to five agents, one line to a bullet list); both servers get this set. */
const DESCRIPTIONS = [
  ["Deploy new API endpoint with authentication", "high"],
  ["Add rate limiting to the public REST API and write a runbook for the on-call engineers", "medium"],
  ["Review the payments service for security vulnerabilities and OWASP top 10 issues", "critical"],
  [
    "Containerise the billing worker with Docker, deploy it to the Kubernetes cluster with Helm, then set up a GitHub Actions pipeline that builds and pushes the image on every release.",
    "high",
  ],
  [
    "Implement OAuth login with GitHub; add pagination to the /tasks endpoint; document the new endpoints in the API reference",
    "medium",
  ],
  [
    "Provision a VPC and a managed PostgreSQL database with Terraform on DigitalOcean, with TLS certificates and monitoring",
    "low",
  ],
  ["Fix the bug where webhook retries are delivered twice after a timeout", "high"],
  ["Write an onboarding guide that explains the architecture of the orchestrator", "low"],
  [
    "Move notification delivery to a queue-based worker:\n- add a Redis-backed job queue\n- send emails from a cron worker with retries\n- deploy it with Docker Compose\n- automate the rollout with a nightly pipeline",
    "medium",
  ],
].map(([description, priority]) => JSON.stringify({ description, priority }));

const ENDPOINTS = [
  { name: "GET /health", requests: [{ method: "GET", path: "/health" }] },
  {
    name: "POST /orchestrate",
    // Each connection cycles through the bodies in order.
    requests: DESCRIPTIONS.map((body) => ({
      method: "POST",
      path: "/orchestrate",
      headers: { "content-type": "application/json" },
      body,
    })),
  },
];

// Where the CPU goes during a run, from /proc (Linux only; "n/a" elsewhere). Clock ticks are 1/100 s.

/** CPU seconds (user + system) used so far by one process, or by every process named `postgres`. */
function processCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function postgresCpuSeconds() {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres") total += processCpuSeconds(pid) ?? 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** CPU seconds every core has spent busy (not idle, not waiting for I/O). */
function machineBusySeconds() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  return (ticks.slice(0, 8).reduce((sum, tick) => sum + tick, 0) - ticks[3] - ticks[4]) / 100;
}

/** Samples the counters; calling the result gives each one's share of a core (100 = one core) since then. */
function cpuMeter(serverPid) {
  const read = () => {
    try {
      const { user, system } = process.cpuUsage();
      return {
        server: processCpuSeconds(serverPid),
        postgres: postgresCpuSeconds(),
        client: (user + system) / 1e6,
        machine: machineBusySeconds(),
        at: performance.now(),
      };
    } catch {
      return undefined;
    }
  };
  const before = read();
  return () => {
    const after = read();
    if (!before || !after) return {};
    const seconds = (after.at - before.at) / 1000;
    const share = (key) => (100 * (after[key] - before[key])) / seconds;
    return { server: share("server"), postgres: share("postgres"), client: share("client"), machine: share("machine") };
  };
}

/** Starts a server on a free port (`launch` gives its command, argv and environment); resolves once /health answers. */
async function startServer(name, launch) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return { url, ...(await startProcess(name, { ...launch(port), healthUrl: `${url}/health` })) };
}

const load = (url, endpoint, seconds) =>
  autocannon({ url, connections: CONNECTIONS, duration: seconds, requests: endpoint.requests });

/** A response with its ids numbered by first appearance and its times blanked, to compare the two servers' plans. */
function normalise(text) {
  const ids = new Map();
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `id${ids.size}`);
      return ids.get(id);
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>");
}

/** Posts every description to every server; the descriptions whose answers differ. */
async function differingPlans(servers) {
  const differing = [];
  for (const body of DESCRIPTIONS) {
    const answers = [];
    for (const server of servers) {
      const init = { method: "POST", headers: { "content-type": "application/json" }, body };
      const response = await fetch(`${server.url}/orchestrate`, init);
      answers.push(`${response.status} ${normalise(await response.text())}`);
    }
    if (answers.some((answer) => answer !== answers[0])) differing.push(JSON.parse(body).description);
  }
  return differing;
}

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

function printTable(rows) {
  const header = ["server", "endpoint", "requests/s", "p50 ms", "p99 ms", "non-2xx", "errors"];
  header.push("CPU % server", "postgres", "load gen", "other", "machine");
  const lines = rows.map((row) => [
    row.server,
    row.endpoint,
    fixed(row.rps),
    String(row.p50),
    String(row.p99),
    String(row.non2xx),
    String(row.errors),
    fixed(row.cpu.server, 0),
    fixed(row.cpu.postgres, 0),
    fixed(row.cpu.client, 0),
    fixed(row.cpu.machine - row.cpu.server - row.cpu.postgres - row.cpu.client, 0),
    fixed(row.cpu.machine, 0),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  console.log();
  console.log(format(header));
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
  for (const line of lines) console.log(format(line));
  console.log("CPU %: 100 = one core busy for the whole run. load gen = this process (autocannon); machine = all");
  console.log("processes; other = machine - the rest: the kernel, and anything else running (it skews the figures).");
  console.log();
  for (const endpoint of ENDPOINTS) {
    const of = (server) => rows.find((row) => row.server === server && row.endpoint === endpoint.name);
    const ratio = of("devtools").rps / of("fastapi").rps;
    // The goal: at least 3× FastAPI's requests/s, and a p99 under 20 ms.
    const met = ratio >= 3 && of("devtools").p99 < 20;
    console.log(
      `devtools/fastapi requests/s, ${endpoint.name}: ${ratio.toFixed(2)}x; goal (>= 3x, p99 < 20 ms) ${met ? "met" : "NOT met"}`,
    );
  }
}

async function main() {
  console.log(
    `node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per server and endpoint after ${WARMUP_SECONDS} s of warm-up`,
  );
  const devtoolsDb = await createDatabase();
  const fastapiDb = await createDatabase();
  const servers = [
    await startServer("devtools", (port) => ({
      command: process.execPath,
      args: ["services/orchestrator/src/main.ts"],
      env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", DATABASE_URL: devtoolsDb },
    })),
    await startServer("fastapi", (port) => ({
      command: PYTHON,
      args: [
        ...["-m", "uvicorn", "app:app", "--app-dir", "bench/fastapi", "--workers", "1"],
        ...["--host", "127.0.0.1", "--port", String(port), "--log-level", "warning", "--no-access-log"],
      ],
      env: { DATABASE_URL: fastapiDb },
    })),
  ];

  const differing = await differingPlans(servers);
  console.log(
    differing.length === 0
      ? `both servers answer the same plans for all ${DESCRIPTIONS.length} descriptions (ids and times aside)`
      : `WARNING: the plans differ for: ${differing.join(" | ")}`,
  );

  const rows = [];
  for (const endpoint of ENDPOINTS) {
    for (const server of servers) {
      if (WARMUP_SECONDS > 0) await load(server.url, endpoint, WARMUP_SECONDS);
      const meter = cpuMeter(server.child.pid);
      const result = await load(server.url, endpoint, SECONDS);
      const cpu = meter();
      const row = {
        server: server.name,
        endpoint: endpoint.name,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        cpu,
      };
      rows.push(row);
      console.log(
        `  ${row.server} ${row.endpoint}: ${fixed(row.rps)} requests/s, p50 ${row.p50} ms, p99 ${row.p99} ms`,
      );
    }
  }
  printTable(rows);
  for (const server of servers) await server.stop();
  await dropDatabases();
}

runGuarded(main, { watchdogMs: WATCHDOG_MS, cleanUp: dropDatabases });
