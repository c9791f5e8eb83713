/** What the process exit status means, for scripts and CI. */
export const ExitCode = {
  /** The command did what it was asked; a task it waited for succeeded. */
  ok: 0,
  /** The command ran but the outcome is not a success: a task failed, ended partial or cancelled; a service is down; the API refused. */
  failed: 1,
  /** The command line (or the input it carries) is wrong. */
  usage: 2,
  /** Nothing answers where the stack should be. */
  unreachable: 3,
  /** Ctrl-C: the user stopped waiting (the task goes on). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one clear message and an exit code, without a stack trace. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** A wrong command line: unknown command or option, missing or malformed argument. */
export class UsageError extends CliError {
  /** The command whose help the message points at; undefined for the top level. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message, ExitCode.usage);
    this.command = command;
  }
}
