/** The agent has no inference backend configured: it serves, but cannot execute. */
export class InferenceNotConfiguredError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`no inference backend is configured: ${problems.join("; ")}`);
    this.name = "InferenceNotConfiguredError";
    this.problems = problems;
  }
}

/** A request reused an idempotency key with a different body. */
export class IdempotencyConflictError extends Error {
  readonly key: string;

  constructor(key: string) {
    super(
      `idempotency key "${key}" was already used with a different request body; send the same body to get its result, or use a new key`,
    );
    this.name = "IdempotencyConflictError";
    this.key = key;
  }
}
