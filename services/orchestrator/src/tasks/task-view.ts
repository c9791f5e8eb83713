import type { Subtask, Task, TaskSummary } from "@devtools/contracts/task";
import type { SubtaskRow, TaskRow } from "@devtools/db/schema";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function subtaskView(row: SubtaskRow): Subtask {
  return {
    id: row.id,
    agent_type: row.agentType,
    description: row.description,
    status: row.status,
    depends_on: row.dependsOn,
    stage: row.stage,
    estimated_tokens: row.estimatedTokens,
    attempts: row.attempts,
    result: row.result ?? null,
    error: row.error,
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

function taskFields(row: TaskRow) {
  return {
    task_id: row.id,
    description: row.description,
    priority: row.priority,
    status: row.status,
    planner: row.planner,
    planner_note: row.plannerNote,
    estimated_tokens: row.estimatedTokens,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function taskView(row: TaskRow, subtasks: readonly SubtaskRow[]): Task {
  return { ...taskFields(row), subtasks: subtasks.map(subtaskView), routing_plan: row.routingPlan };
}

export function taskSummaryView(row: TaskRow, subtaskCount: number): TaskSummary {
  return { ...taskFields(row), subtask_count: subtaskCount };
}
