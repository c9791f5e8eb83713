import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { waitFor } from "./poll.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line the process wrote, stdout and stderr. */
  output: string[];
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: a crash, not a shutdown. */
  kill: () => Promise<void>;
}

/**
 * Starts `services/<name>` as a real process on a free port (PORT=0; the port is read from the
 * service's "listening" log line) and resolves once it answers /health.
 */
export async function startService(name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const entry = `${REPO_ROOT}services/${name}/src/main.ts`;
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let port: number | undefined;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (port === undefined && line.includes('"listening on')) port = (JSON.parse(line) as { port: number }).port;
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = once(child, "exit");

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    return code;
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await exited;
  };
  try {
    const exitedEarly = exited.then(([code]) => {
      throw new Error(`${name} exited with ${code}:\n${output.join("\n")}`);
    });
    // Once the service is up, a later exit is stop()'s business, not a start-up failure.
    exitedEarly.catch(() => {});
    const listening = await Promise.race([
      waitFor(() => port, { timeoutMs: 30_000, what: `${name} to listen` }),
      exitedEarly,
    ]);
    const url = `http://127.0.0.1:${listening}`;
    await waitFor(async () => ((await fetch(`${url}/health`)).ok ? true : undefined), { what: `${name} /health` });
    return { name, url, port: listening, child, output, stop, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}

/** A port nothing listens on right now, chosen at random below the ephemeral range (a tiny race remains until it is used). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  for (;;) {
    const port = candidatePort();
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
}

/**
 * A random port below the system's ephemeral range. Ports the system hands out (`listen(0)`) come from
 * that range, and so do the local ports of outgoing connections: between the check and the child's
 * bind, a test making thousands of connections could take it (EADDRINUSE).
 */
function candidatePort(): number {
  const low = 10_000;
  const high = ephemeralRangeStart() - 1;
  return low + Math.floor(Math.random() * (high - low + 1));
}

let ephemeralStart: number | undefined;

function ephemeralRangeStart(): number {
  if (ephemeralStart === undefined) {
    try {
      ephemeralStart = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    } catch {
      ephemeralStart = 32_768; // Linux's default
    }
    if (!Number.isInteger(ephemeralStart) || ephemeralStart <= 11_000) ephemeralStart = 32_768;
  }
  return ephemeralStart;
}
