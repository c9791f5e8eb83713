// `npm run bench`: runs every benchmark in turn, each writing its figures as JSON, then writes
// BENCHMARKS.md from them. Every figure in BENCHMARKS.md comes from these results; nothing is typed by hand.
//
//   npm run bench                               # everything, the issues' numbers (about 10 minutes)
//   BENCH_ONLY=http,load npm run bench          # only these; the others' latest results are kept
//   BENCH_QUICK=1 npm run bench                 # short durations, to check the pipeline (figures not comparable)
//   BENCH_ONLY=none npm run bench               # rewrite BENCHMARKS.md from the stored results
//
// Each benchmark's own BENCH_* variables pass through (see the head of each script); BENCH_QUICK only
// sets those that are not set. Exits non-zero when a benchmark failed.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ROOT } from "../support/processes.mjs";
import { benchmarksDocument, SECTIONS } from "./benchmarks-document.mjs";
import { machineFacts } from "./machine.mjs";
import { readResult, resultPath, storeResult } from "./results.mjs";
import { revision } from "./revision.mjs";

/** Short runs: enough to see every benchmark work end to end, far too short for the figures to mean much. */
const QUICK = {
  http: { BENCH_SECONDS: "3", BENCH_WARMUP_SECONDS: "1" },
  inference: { BENCH_OVERHEAD_CALLS: "300", BENCH_WARMUP_CALLS: "100", BENCH_SUBTASKS: "24" },
  "mcp-gateway": { BENCH_CALLS: "500", BENCH_WARMUP_CALLS: "100" },
  orchestration: { BENCH_SEQUENTIAL_TASKS: "10", BENCH_WARMUP_TASKS: "2", BENCH_IN_FLIGHT: "50", BENCH_SECONDS: "5" },
  load: {
    BENCH_TASKS: "200",
    BENCH_WARMUP_TASKS: "50",
    BENCH_SETTLE_SECONDS: "3",
    BENCH_SECONDS: "5",
    BENCH_WARMUP_SECONDS: "2",
  },
};

const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());
const unknown = (only ?? []).filter((name) => name !== "none" && !SECTIONS.some((section) => section.name === name));
if (unknown.length > 0) {
  console.error(
    `BENCH_ONLY names no benchmark: ${unknown.join(", ")} (known: ${SECTIONS.map((s) => s.name).join(", ")})`,
  );
  process.exit(2);
}
const selected = SECTIONS.filter((section) => !only || only.includes(section.name));

const machine = await machineFacts();
const code = revision();
let failed = 0;
for (const section of selected) {
  console.log(`\n=== ${section.name}: node ${section.script}${quick ? " (BENCH_QUICK)" : ""}\n`);
  const env = { ...process.env };
  if (quick) for (const [name, value] of Object.entries(QUICK[section.name])) env[name] ??= value;
  const output = resultPath(`${section.name}.latest`);
  rmSync(output, { force: true });
  const startedAt = new Date();
  const child = spawnSync(process.execPath, [section.script, "--json", output], { cwd: ROOT, env, stdio: "inherit" });
  const run = {
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    exitCode: child.status,
    quick,
    revision: code,
    machine,
  };
  if (child.status !== 0) failed += 1;
  // A benchmark that failed before writing its figures leaves the previous ones in place, marked failed.
  const result = existsSync(output) ? JSON.parse(readFileSync(output, "utf8")) : undefined;
  rmSync(output, { force: true });
  if (result) storeResult(section.name, { ...result, run });
  else storeResult(section.name, { ...(readResult(section.name) ?? { benchmark: section.name }), failedRun: run });
}

const results = Object.fromEntries(SECTIONS.map((section) => [section.name, readResult(section.name)]));
writeFileSync(`${ROOT}BENCHMARKS.md`, benchmarksDocument(results, { machine, revision: code }));
console.log(`\nwrote BENCHMARKS.md${failed > 0 ? `; ${failed} benchmark(s) failed` : ""}`);
process.exit(failed > 0 ? 1 : 0);
