// Child processes of a benchmark: free ports, start-and-wait-for-health, and a guard that kills
// whatever is left when the run ends, fails, is interrupted or outlives its bound.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { INSPECT_ARG } from "./inspector.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const children = new Set();

export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

// BENCH_CPU_PROF_DIR=<dir> profiles every Node child (--cpu-prof); they are then stopped with
// SIGTERM at the end, so that they write their profiles, rather than killed.
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;

/**
 * Spawns `command args` from the repository root and resolves once `healthUrl` answers 2xx, with
 * the child, its output so far and `stop()` (SIGTERM, SIGKILL after 10 s). `inspect` opens a Node
 * child's inspector on a free loopback port (see inspector.mjs).
 */
export async function startProcess(name, { command = process.execPath, args, env = {}, healthUrl, inspect = false }) {
  const profile = PROFILE_DIR && command === process.execPath;
  const argv = [
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
    ...(inspect ? [INSPECT_ARG] : []),
  ];
  const child = spawn(command, [...argv, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  // A command that cannot be spawned (not installed) fails the start instead of crashing the benchmark.
  let spawnError;
  child.once("error", (error) => {
    spawnError = error;
  });
  const output = [];
  const keep = (chunk) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`${name} did not start (${command}): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${healthUrl} in time:\n${output.join("\n")}`);
    try {
      if ((await fetch(healthUrl)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
  };
  return { name, child, output, stop };
}

async function stopGently(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
}

/**
 * Runs `main`, then exits: 0 when it resolves, 1 when it throws or outlives `watchdogMs`, 130 on
 * Ctrl-C. Every child still running is killed and `cleanUp` (dropping databases…) runs in all cases.
 */
export function runGuarded(main, { watchdogMs, cleanUp = async () => {} }) {
  const finish = async (code) => {
    if (PROFILE_DIR) await Promise.all([...children].map((child) => stopGently(child)));
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await cleanUp().catch((error) => console.error(`clean-up failed: ${error}`));
    process.exit(code);
  };
  setTimeout(() => {
    console.error(`benchmark still running after ${watchdogMs / 1000} s; stopping`);
    void finish(1);
  }, watchdogMs).unref();
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void finish(130));
  main().then(
    () => finish(0),
    (error) => {
      console.error(error);
      return finish(1);
    },
  );
}
