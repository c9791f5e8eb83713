// HTTP benchmark: the orchestrator's GET /health and POST /orchestrate against the same two endpoints
// written with FastAPI + uvicorn + asyncpg (bench/fastapi/app.py), each server on its own fresh
// PostgreSQL database, driven by autocannon from this process. Method and results: BENCHMARKS.md.
//
//   node bench/http.mjs                       # 32 connections, 10 s per server and endpoint
//   BENCH_SECONDS=3 node bench/http.mjs       # shorter run (or --seconds=3)
//   node bench/http.mjs --json out.json       # also write the figures as JSON
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (32),
// BENCH_POSTGRES_URL (an admin connection; postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_PYTHON (/usr/bin/python3, the interpreter with Debian's python3-fastapi, -uvicorn, -asyncpg).

import { load } from "./support/autocannon.mjs";
import { cpuMeter } from "./support/cpu.mjs";
import { createDatabase, dropDatabases } from "./support/databases.mjs";
import { httpGoals, printGoals } from "./support/goals.mjs";
import { runGuarded } from "./support/processes.mjs";
import { writeResult } from "./support/result.mjs";
import { checkPlans, DESCRIPTIONS, ORCHESTRATE_REQUESTS, startDevtools, startFastApi } from "./support/servers.mjs";

const secondsArg = process.argv.find((arg) => arg.startsWith("--seconds="))?.split("=")[1];
const SECONDS = Number(secondsArg ?? process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const START_TIMEOUT_MS = 30_000;
// Two servers × two endpoints × (warm-up + measurement), plus start-up and teardown.
const WATCHDOG_MS = (4 * (SECONDS + WARMUP_SECONDS) + 60) * 1000 + 2 * START_TIMEOUT_MS;

const ENDPOINTS = [
  { name: "GET /health", requests: [{ method: "GET", path: "/health" }] },
  { name: "POST /orchestrate", requests: ORCHESTRATE_REQUESTS },
];

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
    ...["server", "postgres", "client", "other", "machine"].map((key) => fixed(row.cpu[key], 0)),
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
}

async function main() {
  console.log(
    `node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per server and endpoint after ${WARMUP_SECONDS} s of warm-up`,
  );
  const servers = [await startDevtools(await createDatabase()), await startFastApi(await createDatabase())];
  const differing = await checkPlans(servers);

  const rows = [];
  for (const endpoint of ENDPOINTS) {
    for (const server of servers) {
      const options = { requests: endpoint.requests, connections: CONNECTIONS };
      if (WARMUP_SECONDS > 0) await load(server.url, { ...options, seconds: WARMUP_SECONDS });
      const meter = cpuMeter(server.child.pid);
      const result = await load(server.url, { ...options, seconds: SECONDS });
      const row = { server: server.name, endpoint: endpoint.name, ...result, cpu: meter() };
      rows.push(row);
      console.log(
        `  ${row.server} ${row.endpoint}: ${fixed(row.rps)} requests/s, p50 ${row.p50} ms, p99 ${row.p99} ms`,
      );
    }
  }
  printTable(rows);
  for (const server of servers) await server.stop();
  await dropDatabases();

  const figures = { descriptions: DESCRIPTIONS.length, differingPlans: differing, rows };
  const parameters = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS };
  printGoals(httpGoals(figures, parameters));
  writeResult("http", parameters, figures);
}

runGuarded(main, { watchdogMs: WATCHDOG_MS, cleanUp: dropDatabases });
