import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { waitFor } from "./poll.ts";
import { freePort } from "./process.ts";

const STACK_MAIN = fileURLToPath(new URL("../../stack/src/main.ts", import.meta.url));
const GATEWAY_ADMIN = fileURLToPath(new URL("../../../services/gateway/src/admin/main.ts", import.meta.url));

/** Where a test's stack lives: every service's URL, the simulator's port, its data folder. */
export interface StackEnvironment {
  env: Record<string, string>;
  urls: Record<ServiceName, string>;
  /** `DATA_DIR`: the stack's embedded database is in `<dataDir>/stack`. */
  dataDir: string;
  simulatorPort: number;
}

/**
 * The environment of a whole stack on free ports (every `*_URL` variable, the simulator's port) with
 * a fresh temporary DATA_DIR, plus `extra`.
 */
export async function stackEnvironment(extra: Record<string, string> = {}): Promise<StackEnvironment> {
  const dataDir = await mkdtemp(join(tmpdir(), "devtools-stack-"));
  const simulatorPort = await freePort();
  const urls = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) urls[name] = `http://127.0.0.1:${await freePort()}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    SIMULATOR_HOST: "127.0.0.1",
    SIMULATOR_PORT: String(simulatorPort),
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [SERVICES[name].urlVariable, urls[name]])),
    ...extra,
  };
  return { env, urls, dataDir, simulatorPort };
}

/**
 * An API key made with the gateway's admin command in the stack's embedded database, before the
 * stack opens it (one process at a time holds an embedded database).
 */
export function createApiKey({ dataDir, urls }: StackEnvironment, name: string): string {
  const admin = spawnSync(process.execPath, [GATEWAY_ADMIN, "create-key", "--name", name], {
    env: { ...process.env, DATA_DIR: join(dataDir, "stack"), PORT: new URL(urls.gateway).port, LOG_LEVEL: "warn" },
    encoding: "utf8",
  });
  const key = admin.stdout.trim();
  if (admin.status !== 0 || !key.startsWith("dtk_")) throw new Error(`creating an API key failed: ${admin.stderr}`);
  return key;
}

export interface StackProcess {
  child: ChildProcess;
  /** Everything the stack wrote, stdout and stderr. */
  output: () => string;
  /** Stops it with `signal` (Ctrl-C's by default), waits for it to exit, removes its data folder. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** `npm start`'s host as a child process on `environment`; resolves once it says it is up. */
export async function startStackProcess(
  { env, dataDir }: StackEnvironment,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<StackProcess> {
  const child = spawn(process.execPath, [STACK_MAIN], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const exited = once(child, "exit");
  const stop = async (signal: NodeJS.Signals = "SIGINT") => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}:\n${output}`);
        return output.includes("devtools is up") ? true : undefined;
      },
      { timeoutMs, intervalMs: 100, what: "the stack to start" },
    );
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return { child, output: () => output, stop };
}
