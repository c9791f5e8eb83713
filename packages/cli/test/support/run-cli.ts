import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES, SERVICES } from "@devtools/contracts/services";
import { waitFor } from "@devtools/testkit/poll";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

// The variables the CLI reads: each test says which it wants, whatever the shell running the tests has.
const CLI_VARIABLES = [
  ...SERVICE_NAMES.map((name) => SERVICES[name].urlVariable),
  "DEVTOOLS_URL",
  "DEVTOOLS_API_KEY",
  "INTERNAL_TOKEN",
];

function cliEnvironment(env: Record<string, string>): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const name of CLI_VARIABLES) delete base[name];
  return { ...base, ...env };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI process whose output can be watched while it runs. */
export interface RunningCli {
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout matches. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  signal: (name: NodeJS.Signals) => void;
  done: Promise<CliRun>;
}

/** Starts `node packages/cli/src/main.ts <args>` with only the CLI variables given in `env`. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: cliEnvironment(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const done = once(child, "exit").then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      waitFor(() => stdout.match(pattern) ?? undefined, {
        timeoutMs,
        what: `CLI output ${pattern}\n${stdout}\n${stderr}`,
      }),
    signal: (name) => child.kill(name),
    done,
  };
}

/** Runs the CLI to its end. */
export const runCli = (args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> =>
  startCli(args, env).done;
