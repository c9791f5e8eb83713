import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { Deployable } from "../service-environments.ts";
import { REPO_ROOT } from "./files.ts";
import { type ComposeModel, containerEnvironment } from "./model.ts";

/**
 * Each deployable's start command as its image runs it: the `CMD` of its `service-<name>` stage in
 * the root Dockerfile, run from the repository root (the image's WORKDIR holds the same tree).
 */
export function imageCommand(name: Deployable): string[] {
  const dockerfile = readFileSync(`${REPO_ROOT}Dockerfile`, "utf8");
  const stage = new RegExp(`^FROM \\S+ AS service-${name}\\n([\\s\\S]*?)(?=^FROM )`, "m").exec(dockerfile)?.[1];
  const command = stage && /^CMD (\[.*\])$/m.exec(stage)?.[1];
  if (!command) throw new Error(`the Dockerfile has no CMD for service-${name}`);
  return JSON.parse(command) as string[];
}

/** `ENV` lines of the Dockerfile's release stage (NODE_ENV=production…): the image's own environment. */
export function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(`${REPO_ROOT}Dockerfile`, "utf8");
  const release = /^FROM \S+ AS release\n([\s\S]*?)(?=^FROM )/m.exec(dockerfile)?.[1] ?? "";
  return Object.fromEntries(
    [...release.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((match) => [match[1] ?? "", match[2] ?? ""]),
  );
}

/**
 * The environment compose gives `service`, moved onto one host: every compose service name in a
 * URL or a host variable becomes 127.0.0.1, and every deployable's port becomes `ports[name]`, in
 * its own PORT and in every URL that names it, so that the stack runs beside anything else.
 */
export function environmentOnOneHost(
  model: ComposeModel,
  service: Deployable,
  composePorts: Record<Deployable, number>,
  ports: Record<Deployable, number>,
  portVariable: string,
): Record<string, string> {
  const names = new Set(Object.keys(model.services));
  const moved: Record<string, string> = {};
  for (const [variable, value] of Object.entries(containerEnvironment(model, service))) {
    if (variable === portVariable) {
      moved[variable] = String(ports[service]);
    } else if (/^https?:\/\//.test(value)) {
      const url = new URL(value);
      if (names.has(url.hostname)) {
        const target = url.hostname as Deployable;
        if (target in ports && Number(url.port) === composePorts[target]) url.port = String(ports[target]);
        url.hostname = "127.0.0.1";
      }
      // URL keeps a bare origin's trailing slash; compose's value had none.
      moved[variable] = value.endsWith("/") ? url.toString() : url.toString().replace(/\/$/, "");
    } else if (variable.endsWith("_HOST") && names.has(value)) {
      moved[variable] = "127.0.0.1";
    } else {
      moved[variable] = value;
    }
  }
  return moved;
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  stop: () => Promise<void>;
}

/** Starts `command` with exactly `env` (plus PATH to find node) from the repository root. */
export function startProcess(name: string, command: string[], env: Record<string, string>): RunningProcess {
  const [executable = "", ...args] = command;
  const child = spawn(executable === "node" ? process.execPath : executable, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit");
  return {
    name,
    child,
    output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
