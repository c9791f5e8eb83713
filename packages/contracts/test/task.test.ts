import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ExecuteResult } from "../src/agent.ts";
import { FINAL_TASK_STATUSES, Subtask, Task, TaskSummary } from "../src/task.ts";
import { isFinalTaskEvent, TASK_EVENT_TYPES, TaskEvent, TaskEventsQuery } from "../src/task-events.ts";

const now = "2026-01-01T00:00:00.000Z";
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function subtask(overrides: Partial<Subtask> = {}): Subtask {
  return {
    id: randomUUID(),
    agent_type: "cicd",
    description: "Write the workflow",
    status: "pending",
    depends_on: [],
    stage: 0,
    estimated_tokens: 100,
    attempts: 0,
    generation: 0,
    result: null,
    error: null,
    usage: null,
    started_at: null,
    finished_at: null,
    next_attempt_at: null,
    ...overrides,
  };
}

function task(subtasks: Subtask[]): Task {
  return {
    task_id: randomUUID(),
    description: "Ship it",
    priority: "medium",
    status: "succeeded",
    planner: "rules",
    planner_note: null,
    subtasks,
    routing_plan: {
      execution_order: subtasks.map((s) => s.id),
      stages: [subtasks.map((s) => s.id)],
      critical_path: [],
      estimated_duration_minutes: 1,
    },
    estimated_tokens: 100,
    error: null,
    usage,
    created_at: now,
    updated_at: now,
    started_at: now,
    finished_at: now,
    cancel_requested_at: null,
    max_tokens: null,
    callback_url: null,
  };
}

describe("Task", () => {
  it("carries each subtask's result as the agent's ExecuteResult, its usage and generation", () => {
    const id = randomUUID();
    const result: ExecuteResult = {
      subtask_id: id,
      agent_type: "cicd",
      summary: "Wrote ci.yml",
      artifacts: [],
      usage,
      model: "m",
      repaired: false,
      replayed: true,
      output: { workflows: [{ path: ".github/workflows/ci.yml", content: "on: push" }], notes: "" },
    };
    const done = subtask({ id, status: "succeeded", attempts: 1, result, usage, started_at: now, finished_at: now });

    const parsed = Task.parse(task([done]));

    expect(parsed.subtasks[0]?.result?.agent_type).toBe("cicd");
    expect(parsed.usage).toEqual(usage);
  });

  it("refuses a result that is not an ExecuteResult, and a negative generation", () => {
    expect(Task.safeParse(task([subtask({ result: { summary: "x" } as never })])).success).toBe(false);
    expect(Subtask.safeParse(subtask({ generation: -1 })).success).toBe(false);
  });

  it("lists tasks without their subtasks and token totals", () => {
    const { subtasks: _subtasks, routing_plan: _plan, usage: _usage, ...fields } = task([]);
    expect(TaskSummary.parse({ ...fields, subtask_count: 0 })).toMatchObject({ status: "succeeded", error: null });
  });

  it("names the statuses a task ends in", () => {
    expect(FINAL_TASK_STATUSES).toEqual(["succeeded", "failed", "partial", "cancelled"]);
  });
});

describe("TaskEvent", () => {
  const event = {
    id: 42,
    task_id: randomUUID(),
    subtask_id: null,
    type: "task.succeeded",
    data: { counts: { succeeded: 5 } },
    created_at: now,
  };

  it("parses an event and refuses an unknown type or an id that is not positive", () => {
    expect(TaskEvent.parse(event)).toEqual(event);
    expect(TaskEvent.safeParse({ ...event, type: "task.exploded" }).success).toBe(false);
    expect(TaskEvent.safeParse({ ...event, id: 0 }).success).toBe(false);
  });

  it("tells the events that end a task from the others", () => {
    const finals = TASK_EVENT_TYPES.filter(isFinalTaskEvent);
    expect(finals).toEqual(["task.succeeded", "task.failed", "task.partial", "task.cancelled"]);
  });

  it("reads `after` from a query string and refuses a negative one or an unknown parameter", () => {
    expect(TaskEventsQuery.parse({ after: "17" })).toEqual({ after: 17 });
    expect(TaskEventsQuery.safeParse({ after: "-1" }).success).toBe(false);
    expect(TaskEventsQuery.safeParse({ since: "1" }).success).toBe(false);
  });
});
