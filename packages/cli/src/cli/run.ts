import { cancelCommand } from "../commands/cancel.ts";
import { healthCommand } from "../commands/health.ts";
import { linearConnectCommand } from "../commands/linear-connect.ts";
import { orchestrateCommand } from "../commands/orchestrate.ts";
import { taskCommand } from "../commands/task.ts";
import { tasksCommand } from "../commands/tasks.ts";
import { readEnvironment } from "../config.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode, UsageError } from "./exit-codes.ts";
import type { Terminal } from "./terminal.ts";

const COMMANDS: readonly Command[] = [
  orchestrateCommand,
  tasksCommand,
  taskCommand,
  cancelCommand,
  healthCommand,
  linearConnectCommand,
];

const VERSION = "0.1.0";

const USAGE = `devtools: drive the devtools stack from a terminal.

Usage: devtools <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(16)} ${command.summary}`).join("\n")}

Run \`devtools <command> --help\` for a command's options.

Where it talks: the gateway at DEVTOOLS_URL (default http://localhost:8000), through its
/api/orchestrator proxy, with DEVTOOLS_API_KEY as the bearer key; or, when ORCHESTRATOR_URL (or
--orchestrator-url) is set, the orchestrator directly (with INTERNAL_TOKEN when the stack uses one).

Exit status: 0 success; 1 a task or service did not succeed; 2 usage error; 3 the stack is not reachable.`;

const isHelp = (arg: string) => arg === "--help" || arg === "-h";

/** The command `argv` names, and the arguments after its name; a UsageError when it names none. */
function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } {
  const [first = "", second = ""] = argv;
  const two = COMMANDS.find((command) => command.name === `${first} ${second}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = COMMANDS.find((command) => command.name === first);
  if (one) return { command: one, rest: argv.slice(1) };
  const group = COMMANDS.filter((command) => command.name.startsWith(`${first} `));
  if (group.length > 0) {
    const names = group.map((command) => `devtools ${command.name}`).join(", ");
    throw new UsageError(
      second ? `unknown command "${first} ${second}": try ${names}` : `${first} needs a command: ${names}`,
    );
  }
  throw new UsageError(
    first.startsWith("-") ? `options go after the command: devtools <command> ${first}` : `unknown command "${first}"`,
  );
}

/**
 * Runs the CLI with `argv` (without node and the script) and resolves with the exit code. Errors
 * become one clear line on stderr: usage errors with a pointer to the help, others with their
 * own message; only an unexpected error shows its stack.
 */
export async function runCli(
  argv: readonly string[],
  terminal: Terminal,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<number> {
  try {
    if (argv.length === 0) throw new UsageError("no command given");
    if (isHelp(argv[0] ?? "") || argv[0] === "help") {
      const topic = argv[1] ? findCommand(argv.slice(1)).command : undefined;
      terminal.out(`${topic ? topic.help : USAGE}\n`);
      return ExitCode.ok;
    }
    if (argv[0] === "--version") {
      terminal.out(`${VERSION}\n`);
      return ExitCode.ok;
    }
    const { command, rest } = findCommand(argv);
    // Everything after `--` is data (a request may mention --help).
    const options = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
    if (options.some(isHelp)) {
      terminal.out(`${command.help}\n`);
      return ExitCode.ok;
    }
    return await command.run(rest, { env: readEnvironment(env), terminal, signal });
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command ? `devtools ${error.command} --help` : "devtools --help";
      terminal.err(`devtools: ${error.message}\n(see \`${help}\`)\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      terminal.err(`devtools: ${error.message}\n`);
      return error.exitCode;
    }
    if (signal.aborted) return ExitCode.interrupted;
    terminal.err(`devtools: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.failed;
  }
}
