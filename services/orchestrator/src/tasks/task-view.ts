import type { ExecuteResult, TokenUsage } from "@devtools/contracts/agent";
import type { Subtask, Task, TaskSummary } from "@devtools/contracts/task";
import type { SubtaskRow, TaskRow } from "@devtools/db/schema";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function usageOf(row: SubtaskRow): TokenUsage | null {
  if (row.promptTokens === null || row.completionTokens === null) return null;
  return {
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    total_tokens: row.promptTokens + row.completionTokens,
  };
}

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
    generation: row.generation,
    // Stored only after it passed the ExecuteResult schema (see execution/failure-policy.ts).
    result: (row.result as ExecuteResult | null) ?? null,
    error: row.error,
    usage: usageOf(row),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    next_attempt_at: iso(row.nextAttemptAt),
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
    error: row.error,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    cancel_requested_at: iso(row.cancelRequestedAt),
    max_tokens: row.maxTokens,
    callback_url: row.callbackUrl,
  };
}

/** The tokens of the subtasks that succeeded, summed. */
export function totalUsage(subtasks: readonly Subtask[]): TokenUsage {
  const total = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  for (const { usage } of subtasks) {
    if (!usage) continue;
    total.prompt_tokens += usage.prompt_tokens;
    total.completion_tokens += usage.completion_tokens;
    total.total_tokens += usage.total_tokens;
  }
  return total;
}

export function taskView(row: TaskRow, subtaskRows: readonly SubtaskRow[]): Task {
  const subtasks = subtaskRows.map(subtaskView);
  return { ...taskFields(row), usage: totalUsage(subtasks), subtasks, routing_plan: row.routingPlan };
}

export function taskSummaryView(row: TaskRow, subtaskCount: number): TaskSummary {
  return { ...taskFields(row), subtask_count: subtaskCount };
}
