import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { REPO_ROOT, repositoryDockerfile } from "./image/deployables.ts";
import { imageConfig } from "./image/image-config.ts";
import type { Deployable } from "./service-environments.ts";

/** A deployable run as a plain process the way its container runs it: a command and exactly an environment. */
export interface ContainerProcess {
  child: ChildProcess;
  /** Every line it wrote, stdout and stderr. */
  output: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /**
   * SIGTERM, as Docker and the kubelet send it; resolves with the exit code, or SIGKILLs and rejects
   * when it has not exited within `graceMs`.
   */
  terminate: (graceMs: number) => Promise<number | null>;
}

/** The image's own command and environment (its ENVs: NODE_ENV, the port) for `deployable`, read from the Dockerfile. */
export function imageRuntime(deployable: Deployable): { command: string[]; env: Record<string, string> } {
  const config = imageConfig(repositoryDockerfile(), { SERVICE: deployable });
  if (!config.cmd) throw new Error(`the Dockerfile gives ${deployable} no CMD`);
  return { command: config.cmd, env: config.env };
}

/**
 * Starts `command` from `cwd` (the image's WORKDIR holds the repository's tree) with exactly `env`,
 * plus the host's PATH to find node: a container gets nothing else from its host.
 */
export function startContainerProcess(
  command: readonly string[],
  env: Record<string, string>,
  cwd = REPO_ROOT,
): ContainerProcess {
  const [executable = "", ...args] = command;
  const child = spawn(executable === "node" ? process.execPath : executable, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
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
        reject(new Error(`${command.join(" ")} did not exit within ${graceMs} ms of SIGTERM`));
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
