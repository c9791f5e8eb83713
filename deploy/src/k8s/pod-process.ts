import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A service run as a plain process the way a pod would run it: its entry point and exactly the given environment. */
export interface PodProcess {
  child: ChildProcess;
  output: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM, as the kubelet sends it; resolves with the exit code, or rejects after `graceMs` (then SIGKILLs). */
  terminate: (graceMs: number) => Promise<number | null>;
}

/** `entry` is relative to the repository root, e.g. `services/gateway/src/main.ts` (the image's CMD). */
export function startPodProcess(entry: string, env: Record<string, string>): PodProcess {
  // Only PATH from the host: the pod gets nothing the manifests do not give it.
  const child = spawn(process.execPath, [`${REPO_ROOT}${entry}`], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const terminate = async (graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${entry} did not exit within ${graceMs} ms of SIGTERM`));
      }, graceMs);
    });
    try {
      return await Promise.race([exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, output, exited, terminate };
}
