import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
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

/** A port nothing listens on right now (the OS picks it; a tiny race remains until it is used). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
