import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { ExecuteRequest, ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { Database } from "@devtools/db/client";
import type { AgentDispatcher, DispatchAnswer } from "../../src/execution/dispatcher/agent-client.ts";
import type { ExecutionLimits } from "../../src/execution/engine.ts";
import { planTask } from "../../src/planner/plan-task.ts";
import { createTask, type NewTask } from "../../src/tasks/task-store.ts";

/** An engine's limits for tests: short leases and polls, quick retries; override what a test is about. */
export function testLimits(overrides: Partial<ExecutionLimits> = {}): ExecutionLimits {
  return {
    concurrency: 32,
    agentConcurrency: 8,
    leaseMs: 2_000,
    pollMs: 100,
    subtaskTimeoutMs: 60_000,
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    ...overrides,
  };
}

/** Feature-dev and infrastructure, then code-review and cicd, then documentation. */
export const FIVE_SUBTASKS = "Deploy new API endpoint with authentication";
/** Infrastructure, then cicd, then documentation: no code review, whose simulated answers need a repair round. */
export const THREE_STAGES =
  "Containerize the worker with Docker, add a CI/CD pipeline that deploys it, and document the runbook";

/** A rules-planned task, not yet stored. */
export function newTask(description = FIVE_SUBTASKS, now = new Date()): NewTask {
  return {
    id: randomUUID(),
    description,
    priority: "medium",
    plan: planTask(description),
    planner: "rules",
    plannerNote: null,
    now,
  };
}

/** Stores a rules-planned task; answers it with its subtask ids by agent type. */
export async function storeTask(
  database: Database,
  description = FIVE_SUBTASKS,
  now = new Date(),
  options: Pick<NewTask, "maxTokens" | "callbackUrl"> = {},
) {
  const task = await createTask(database, { ...options, ...newTask(description, now) });
  const idOf = Object.fromEntries(task.subtasks.map((subtask) => [subtask.agent_type, subtask.id])) as Record<
    AgentType,
    string
  >;
  return { task, idOf };
}

const OUTPUTS: Record<AgentType, unknown> = {
  "feature-dev": { files: [{ path: "src/auth.ts", language: "typescript", content: "export {};" }], notes: "" },
  "code-review": { findings: [], verdict: "approve", summary: "Looks right." },
  infrastructure: { artifacts: [{ path: "Dockerfile", kind: "dockerfile", content: "FROM node:24" }], notes: "" },
  cicd: { workflows: [{ path: ".github/workflows/ci.yml", content: "on: push" }], notes: "" },
  documentation: { documents: [{ path: "docs/auth.md", content: "# Auth" }] },
};

/** A valid result of `agentType`, as its agent would answer it. */
export function resultFor(subtaskId: string, agentType: AgentType, usage = { prompt: 100, completion: 50 }) {
  return {
    subtask_id: subtaskId,
    agent_type: agentType,
    summary: `${agentType} did its part`,
    artifacts: [{ path: `${agentType}/out.txt`, kind: "source", content: "x" }],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
    model: "test-model",
    repaired: false,
    replayed: false,
    output: OUTPUTS[agentType],
  } as ExecuteResult;
}

/** Every quota at `n`: claim whatever is runnable. */
export const ALL_AGENTS = (n = 8): Record<AgentType, number> => ({
  "feature-dev": n,
  "code-review": n,
  infrastructure: n,
  cicd: n,
  documentation: n,
});

/** The events of a task as `type` or `type:agent`, in order. */
export async function eventTrail(database: Database, taskId: string): Promise<string[]> {
  const rows = await database.query<{ type: string; agent_type: string | null }>(
    "select type, data->>'agent_type' as agent_type from task_events where task_id = $1 order by id",
    [taskId],
  );
  return rows.map((row) => (row.agent_type ? `${row.type}:${row.agent_type}` : row.type));
}

/** One request a scripted agent received. */
export interface ReceivedDispatch {
  agentType: AgentType;
  request: ExecuteRequest;
  signal: AbortSignal;
  at: number;
  answeredAt?: number;
}

type Script = (call: ReceivedDispatch, index: number) => Promise<DispatchAnswer> | DispatchAnswer;

/** Resolves when `signal` aborts, as an aborted request does. */
export const untilAborted = (signal: AbortSignal) =>
  new Promise<DispatchAnswer>((resolve) => {
    if (signal.aborted) resolve({ kind: "aborted" });
    signal.addEventListener("abort", () => resolve({ kind: "aborted" }), { once: true });
  });

export const answer = (status: number, body: unknown, retryAfter?: string): DispatchAnswer => ({
  kind: "answered",
  status,
  body,
  retryAfter,
});

export const refused = (): DispatchAnswer => ({
  kind: "no_answer",
  error: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
  connectFailed: true,
});

/** Agents in-process: each call is answered by `script`, which tests replace as they go. */
export class ScriptedAgents implements AgentDispatcher {
  readonly calls: ReceivedDispatch[] = [];
  script: Script;

  constructor(script: Script) {
    this.script = script;
  }

  /** A script that answers every call with a valid result after `ms`. */
  static succeedingAfter(ms: number): Script {
    return async (call) => {
      await delay(ms, undefined, { signal: call.signal }).catch(() => {});
      if (call.signal.aborted) return { kind: "aborted" };
      return answer(200, resultFor(call.request.subtask_id, call.agentType));
    };
  }

  async execute(agentType: AgentType, request: ExecuteRequest, signal: AbortSignal): Promise<DispatchAnswer> {
    const call: ReceivedDispatch = { agentType, request, signal, at: Date.now() };
    this.calls.push(call);
    const result = await this.script(call, this.calls.length - 1);
    call.answeredAt = Date.now();
    return result;
  }

  describe(agentType: AgentType): string {
    return `scripted ${agentType}`;
  }

  async close(): Promise<void> {}

  callsTo(agentType: AgentType): ReceivedDispatch[] {
    return this.calls.filter((call) => call.agentType === agentType);
  }
}
