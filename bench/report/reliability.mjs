// `npm run reliability`: runs the fuzz, fault and security tests of every workspace package that has
// them (`test/fuzz/`, `test/faults/`, `test/security/`, found by globbing the workspace's package
// folders), one package at a time with vitest's JSON reporter, and writes RELIABILITY.md: each test
// (its title says what it proves), its result and duration. Exits non-zero when any test failed.
//
//   npm run reliability
//   node bench/report/reliability.mjs --output /tmp/RELIABILITY.md   # write elsewhere

import { spawnSync } from "node:child_process";
import { existsSync, globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../support/processes.mjs";
import { machineFacts } from "./machine.mjs";
import { reliabilityDocument } from "./reliability-document.mjs";
import { RESULTS_DIR } from "./results.mjs";
import { revision } from "./revision.mjs";

export const KINDS = ["fuzz", "faults", "security"];

/** The workspace's package folders, from pnpm-workspace.yaml's `packages:` globs. */
function workspacePackages() {
  const text = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8");
  const list = /^packages:\n((?: {2}- .+\n)+)/m.exec(text)?.[1] ?? "";
  const patterns = [...list.matchAll(/- "?([^"\n]+)"?/g)].map((match) => match[1]);
  return patterns
    .flatMap((pattern) => globSync(pattern, { cwd: ROOT }))
    .filter((dir) => existsSync(join(ROOT, dir, "package.json")));
}

/** Every package with at least one of the test folders, and which ones it has. */
function packagesWithTests() {
  return workspacePackages()
    .map((dir) => ({ dir, folders: KINDS.filter((kind) => existsSync(join(ROOT, dir, "test", kind))) }))
    .filter(({ folders }) => folders.length > 0)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Runs one package's folders under its own vitest; the JSON report's files, or why there is none. */
function runPackage({ dir, folders }) {
  const report = join(RESULTS_DIR, "reliability", `${dir.replaceAll("/", "__")}.json`);
  mkdirSync(join(RESULTS_DIR, "reliability"), { recursive: true });
  rmSync(report, { force: true });
  const vitest = join(ROOT, dir, "node_modules", ".bin", "vitest");
  const filters = folders.map((kind) => `test/${kind}/`);
  const args = ["run", ...filters, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`];
  console.log(`\n=== ${dir}: vitest ${args.slice(0, 1 + filters.length).join(" ")}\n`);
  const started = Date.now();
  const child = existsSync(vitest)
    ? spawnSync(vitest, args, { cwd: join(ROOT, dir), stdio: "inherit", env: process.env })
    : { status: 1, error: new Error(`${relative(ROOT, vitest)} not found: run pnpm install`) };
  const seconds = (Date.now() - started) / 1000;
  const json = existsSync(report) ? JSON.parse(readFileSync(report, "utf8")) : undefined;
  return {
    dir,
    folders,
    seconds,
    exitCode: child.status,
    files: json?.testResults ?? [],
    error: json ? undefined : (child.error?.message ?? `vitest exited with ${child.status} without a report`),
  };
}

const outputIndex = process.argv.indexOf("--output");
const output = outputIndex === -1 ? join(ROOT, "RELIABILITY.md") : process.argv[outputIndex + 1];
const startedAt = new Date();
const machine = await machineFacts();
const packages = packagesWithTests().map(runPackage);
const document = reliabilityDocument(packages, { startedAt, machine, revision: revision(), root: ROOT });
writeFileSync(output, document.text);
console.log(
  `\nwrote ${relative(process.cwd(), output) || output}: ${document.totals.passed} passed, ${document.totals.failed} failed,` +
    ` ${document.totals.skipped} skipped in ${packages.length} package(s)`,
);
process.exit(document.totals.failed > 0 ? 1 : 0);
