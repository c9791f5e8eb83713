// Where `npm run bench` keeps each benchmark's latest result (`.data/bench/`, ignored by git), so that
// BENCHMARKS.md can be rewritten after running only some benchmarks.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ROOT } from "../support/processes.mjs";

export const RESULTS_DIR = `${ROOT}.data/bench`;

export const resultPath = (name) => `${RESULTS_DIR}/${name}.json`;

/** The stored result of benchmark `name`, or undefined when it has never run. */
export function readResult(name) {
  const path = resultPath(name);
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
}

/** Stores `result` (a benchmark's own JSON with the runner's `run` record added). */
export function storeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resultPath(name), `${JSON.stringify(result, null, 2)}\n`);
}
