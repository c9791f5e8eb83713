import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import type { CliEnvironment } from "../config.ts";
import { type ExitCode, UsageError } from "./exit-codes.ts";
import type { Terminal } from "./terminal.ts";

export interface CommandContext {
  env: CliEnvironment;
  terminal: Terminal;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** One `devtools <name>` command. */
export interface Command {
  /** As typed: "tasks", "linear connect". */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  run(argv: readonly string[], context: CommandContext): Promise<ExitCode>;
}

/** Options every command that talks to the task API accepts. */
export const API_OPTIONS = {
  url: { type: "string" },
  "orchestrator-url": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const API_OPTIONS_HELP = `  --url <url>               the gateway (default: DEVTOOLS_URL, else http://localhost:8000)
  --orchestrator-url <url>  talk to the orchestrator directly (default: ORCHESTRATOR_URL when set)`;

/**
 * Parses a command's arguments strictly: an unknown option, a missing value or a wrong number of
 * positionals is a UsageError that names the command.
 */
export function parseCommandArgs<const Options extends ParseArgsOptionsConfig>(
  command: string,
  argv: readonly string[],
  options: Options,
  positionals: { min: number; max: number; names: string },
) {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    const count = parsed.positionals.length;
    if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`, command);
    if (count > positionals.max) {
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`, command);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs's messages are already specific ("Unknown option '--foo'"); they only lack the command.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""), command);
  }
}

/** `value` if it is one of `allowed`, else a UsageError listing them. */
export function oneOf<const T extends string>(
  command: string,
  option: string,
  value: string,
  allowed: readonly T[],
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${option} must be one of ${allowed.join(", ")} (got "${value}")`, command);
}

/** `value` as an integer in [min, max], else a UsageError. */
export function integer(command: string, option: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${option} must be a whole number from ${min} to ${max} (got "${value}")`, command);
  }
  return number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A task id as the API takes it: a UUID. */
export function taskId(command: string, value: string): string {
  if (!UUID.test(value))
    throw new UsageError(`"${value}" is not a task id (a UUID, as \`devtools tasks\` lists them)`, command);
  return value.toLowerCase();
}
