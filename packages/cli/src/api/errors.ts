import type { Problem } from "@devtools/contracts/problem";
import { CliError, ExitCode } from "../cli/exit-codes.ts";

/** Nothing answers at the stack's address (or a hop behind it): exit 3. */
export class StackUnreachableError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.unreachable, options);
  }
}

/** Exit code for an error answer: the caller's input (400, 422) is a usage error; an unreachable hop behind the gateway (502, 504) is the stack not running. */
function exitCodeFor(status: number) {
  if (status === 400 || status === 422) return ExitCode.usage;
  if (status === 502 || status === 504) return ExitCode.unreachable;
  return ExitCode.failed;
}

/** The API answered with an error status; `problem` is its RFC 9457 body when it sent one. */
export class ApiError extends CliError {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(message: string, status: number, problem: Problem | undefined) {
    super(message, exitCodeFor(status));
    this.status = status;
    this.problem = problem;
  }
}

/** The API answered 2xx with a body that does not match its contract: a version mismatch, or not devtools at all. */
export class UnexpectedAnswerError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.failed, options);
  }
}
