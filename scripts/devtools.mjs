#!/usr/bin/env node
// `npm start` and `npm test` (and `npm run bench`, `npm run reliability`) on a machine that has only
// Node.js (>= 20) and npm.
// Plain JavaScript on purpose: it must run on whatever Node the machine has, before anything is installed.
// It fetches what is missing (a Node >= 22 from the npm registry's `node` package, pnpm), installs
// the workspace when its manifests changed, builds through turbo, then hands over.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const toolchainDir = join(root, ".devtools", "toolchain");
// 22.18 is the first Node that runs TypeScript without a flag.
const MIN_NODE = [22, 18];
const FETCHED_NODE = "24";
// Seven services share this process on a developer machine: favour memory over peak speed.
const STACK_NODE_FLAGS = ["--max-semi-space-size=1", "--optimize-for-size"];

const [command, ...args] = process.argv.slice(2);
const commands = {
  // Node runs the TypeScript sources directly (type stripping), so there is nothing to build first.
  start: () => {
    run(nodeBinary(), [...STACK_NODE_FLAGS, join(root, "packages", "stack", "src", "main.ts"), ...args]);
  },
  test: () => {
    // Two tasks at a time: the test suites start real servers and time out when more share two cores.
    turbo(["run", "lint", "typecheck", "test", "--concurrency=2", ...args]);
  },
  // Every benchmark under bench/, then BENCHMARKS.md from their figures (BENCH_ONLY, BENCH_QUICK: bench/report/benchmarks.mjs).
  bench: () => {
    run(nodeBinary(), [join(root, "bench", "report", "benchmarks.mjs"), ...args]);
  },
  // The fuzz, fault and security tests of every package, then RELIABILITY.md from their results.
  reliability: () => {
    run(nodeBinary(), [join(root, "bench", "report", "reliability.mjs"), ...args]);
  },
};

if (!commands[command]) {
  console.error(`usage: node scripts/devtools.mjs <${Object.keys(commands).join("|")}> [args…]`);
  process.exit(2);
}
ensureToolchain();
ensureInstalled();
commands[command]();

function log(message) {
  console.error(`[devtools] ${message}`);
}

function run(bin, argv, options = {}) {
  const result = spawnSync(bin, argv, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: toolPath() },
    ...options,
  });
  if (result.error) throw result.error;
  // A child ended by Ctrl-C is a normal way to stop `npm start`.
  if (result.signal === "SIGINT" || result.signal === "SIGTERM") process.exit(130);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function machineNodeIsRecent() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function nodeBinary() {
  return machineNodeIsRecent() ? process.execPath : join(toolchainDir, "node_modules", "node", "bin", "node");
}

function pnpmEntry() {
  return join(toolchainDir, "node_modules", "pnpm", "bin", "pnpm.cjs");
}

function toolPath() {
  // Children (pnpm, turbo, vitest, the services) find the chosen Node first on PATH.
  const dirs = [dirname(nodeBinary()), join(toolchainDir, "node_modules", ".bin"), join(root, "node_modules", ".bin")];
  return [...dirs, process.env.PATH ?? ""].join(":");
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function installedVersion(pkg) {
  const path = join(toolchainDir, "node_modules", pkg, "package.json");
  return existsSync(path) ? readJson(path).version : undefined;
}

function ensureToolchain() {
  const pnpmVersion = readJson(join(root, "package.json")).packageManager.split("@")[1];
  const wanted = [];
  if (installedVersion("pnpm") !== pnpmVersion) wanted.push(`pnpm@${pnpmVersion}`);
  const needsNode = !machineNodeIsRecent();
  if (needsNode && !existsSync(nodeBinary())) wanted.push(`node@${FETCHED_NODE}`);
  if (wanted.length === 0) return;
  if (needsNode)
    log(
      `Node ${process.versions.node} is older than ${MIN_NODE.join(".")}; fetching Node ${FETCHED_NODE} into .devtools/`,
    );
  log(`fetching ${wanted.join(", ")}`);
  mkdirSync(toolchainDir, { recursive: true });
  if (!existsSync(join(toolchainDir, "package.json"))) {
    writeFileSync(join(toolchainDir, "package.json"), '{ "name": "devtools-toolchain", "private": true }\n');
  }
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", toolchainDir, ...wanted]);
}

function manifestFingerprint() {
  const hash = createHash("sha256");
  hash.update(process.versions.node.split(".")[0]);
  hash.update(`node:${nodeBinary()}`);
  const files = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"];
  for (const group of ["packages", "services"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) files.push(join(group, name, "package.json"));
  }
  files.push(join("bench", "package.json"));
  for (const file of files) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(`${file}\0${readFileSync(path)}\0`);
  }
  return hash.digest("hex");
}

function ensureInstalled() {
  const stampPath = join(root, "node_modules", ".devtools-install-stamp");
  const fingerprint = manifestFingerprint();
  if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === fingerprint) return;
  log("installing dependencies");
  run(nodeBinary(), [pnpmEntry(), "install", "--reporter=append-only"]);
  writeFileSync(stampPath, fingerprint);
}

function turbo(argv) {
  run(nodeBinary(), [pnpmEntry(), "exec", "turbo", ...argv]);
}
