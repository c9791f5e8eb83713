import type { Task } from "@devtools/contracts/task";

export const TASK_ID = "11111111-1111-4111-8111-111111111111";
export const CODE = "22222222-2222-4222-8222-222222222222";
export const REVIEW = "33333333-3333-4333-8333-333333333333";

const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** A planned task of two subtasks: feature-dev, then code-review after it. */
export function plannedTask(): Task {
  const subtask = {
    status: "pending" as const,
    estimated_tokens: 100,
    attempts: 0,
    generation: 0,
    result: null,
    error: null,
    usage: null,
    started_at: null,
    finished_at: null,
    next_attempt_at: null,
  };
  return {
    task_id: TASK_ID,
    description: "Add a health endpoint",
    priority: "medium",
    status: "pending",
    planner: "rules",
    planner_note: null,
    subtasks: [
      { ...subtask, id: REVIEW, agent_type: "code-review", description: "Review it", depends_on: [CODE], stage: 1 },
      { ...subtask, id: CODE, agent_type: "feature-dev", description: "Write it", depends_on: [], stage: 0 },
    ],
    routing_plan: {
      execution_order: [CODE, REVIEW],
      stages: [[CODE], [REVIEW]],
      critical_path: [CODE, REVIEW],
      estimated_duration_minutes: 2,
    },
    estimated_tokens: 200,
    error: null,
    usage,
    created_at: "2025-01-01T10:00:00.000Z",
    updated_at: "2025-01-01T10:00:00.000Z",
    started_at: null,
    finished_at: null,
    cancel_requested_at: null,
    max_tokens: null,
    callback_url: null,
  };
}

/** A feature-dev result with the given artifact paths. */
export function featureDevResult(paths: string[]) {
  return {
    agent_type: "feature-dev" as const,
    subtask_id: CODE,
    summary: "Wrote it",
    artifacts: paths.map((path) => ({ path, kind: "source", content: `content of ${path}` })),
    output: {
      files: paths.map((path) => ({ path, language: "typescript", content: `content of ${path}` })),
      notes: "",
    },
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    model: "sim",
    repaired: false,
    replayed: false,
  };
}
