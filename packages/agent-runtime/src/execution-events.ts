/** Where an execution is: started, the model writing its first answer, checking an answer, writing the repair, done. */
export type ExecutionPhase = "started" | "generating" | "checking" | "repairing" | "done";

export const EXECUTION_PHASES = ["started", "generating", "checking", "repairing", "done"] as const;

/** What an execution reports while it runs: its phases and, when streamed, the model's text as it is written. */
export interface ExecutionEvents {
  phase(phase: ExecutionPhase): void;
  token(text: string): void;
}

export const IGNORED_EVENTS: ExecutionEvents = { phase() {}, token() {} };
