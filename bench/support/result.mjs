// A benchmark's machine-readable result: `--json <file>` (or `--json=<file>`) on any benchmark's
// command line writes its figures and parameters there, next to its human output. `npm run bench`
// (bench/report/benchmarks.mjs) runs each benchmark so and writes BENCHMARKS.md from the files.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

function jsonPath(argv) {
  const index = argv.findIndex((arg) => arg === "--json" || arg.startsWith("--json="));
  if (index === -1) return undefined;
  return argv[index] === "--json" ? argv[index + 1] : argv[index].slice("--json=".length);
}

/** Writes `figures` of benchmark `name`, run with `parameters`, where `--json` says; nothing without it. */
export function writeResult(name, parameters, figures) {
  const path = jsonPath(process.argv);
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  const result = { benchmark: name, finishedAt: new Date().toISOString(), node: process.version, parameters, figures };
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
