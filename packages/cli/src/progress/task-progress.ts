import type { AgentType } from "@devtools/contracts/agent-type";
import {
  FINAL_SUBTASK_STATUSES,
  FINAL_TASK_STATUSES,
  type SubtaskStatus,
  type Task,
  type TaskStatus,
} from "@devtools/contracts/task";
import type { TaskEvent } from "@devtools/contracts/task-events";

/** What the progress view knows of one subtask. Times are the server's, in ms since the epoch. */
export interface SubtaskProgress {
  id: string;
  agent: AgentType;
  description: string;
  stage: number;
  status: SubtaskStatus;
  /** Pending again after a transient failure, waiting for its next attempt. */
  retrying: boolean;
  attempt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Tokens its model used, once it succeeded. */
  tokens: number | undefined;
  /** Why it failed, was skipped, cancelled or retried; that it was recovered or replayed. */
  note: string | undefined;
}

const isFinalSubtask = (status: SubtaskStatus) => (FINAL_SUBTASK_STATUSES as readonly string[]).includes(status);
const isFinalTask = (status: TaskStatus) => (FINAL_TASK_STATUSES as readonly string[]).includes(status);
const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/**
 * A task's state as its events tell it, starting from the task as it was read. Views render it;
 * `apply` returns what an event changed so that a line-per-change view can print just that.
 */
export class TaskProgress {
  readonly taskId: string;
  status: TaskStatus;
  error: string | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** In the plan's order: stage by stage, execution order within a stage. */
  readonly subtasks: SubtaskProgress[];
  readonly #byId: Map<string, SubtaskProgress>;

  constructor(task: Task) {
    this.taskId = task.task_id;
    this.status = task.status;
    this.error = task.error ?? undefined;
    this.startedAt = task.started_at ? Date.parse(task.started_at) : undefined;
    this.finishedAt = task.finished_at ? Date.parse(task.finished_at) : undefined;
    const order = new Map(task.routing_plan.execution_order.map((id, index) => [id, index]));
    this.subtasks = task.subtasks
      .map((subtask) => ({
        id: subtask.id,
        agent: subtask.agent_type,
        description: subtask.description,
        stage: subtask.stage,
        status: subtask.status,
        retrying: subtask.status === "pending" && subtask.next_attempt_at !== null,
        attempt: subtask.attempts,
        startedAt: subtask.started_at ? Date.parse(subtask.started_at) : undefined,
        finishedAt: subtask.finished_at ? Date.parse(subtask.finished_at) : undefined,
        tokens: subtask.usage?.total_tokens,
        note: subtask.error ?? undefined,
      }))
      .sort((a, b) => a.stage - b.stage || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    this.#byId = new Map(this.subtasks.map((subtask) => [subtask.id, subtask]));
  }

  get finished(): boolean {
    return isFinalTask(this.status);
  }

  /** Subtasks that reached a final status. */
  get done(): number {
    return this.subtasks.filter((subtask) => isFinalSubtask(subtask.status)).length;
  }

  get tokens(): number {
    return this.subtasks.reduce((sum, subtask) => sum + (subtask.tokens ?? 0), 0);
  }

  /** Applies one event; returns the subtask it changed, "task" for a task event, or undefined when it changed nothing known. */
  apply(event: TaskEvent): SubtaskProgress | "task" | undefined {
    const at = Date.parse(event.created_at);
    const data = event.data;
    if (event.subtask_id === null) return this.#applyToTask(event, at);
    const subtask = this.#byId.get(event.subtask_id);
    if (!subtask) return undefined;
    subtask.retrying = false;
    switch (event.type) {
      case "subtask.running":
        subtask.status = "running";
        subtask.attempt = count(data.attempt) ?? subtask.attempt + 1;
        subtask.startedAt ??= at;
        subtask.note = data.recovered === true ? "recovered from an orchestrator that stopped" : undefined;
        break;
      case "subtask.succeeded": {
        subtask.status = "succeeded";
        subtask.finishedAt = at;
        const usage = data.usage as { total_tokens?: unknown } | undefined;
        subtask.tokens = count(usage?.total_tokens);
        subtask.note = data.replayed === true ? "replayed: the agent's stored result" : undefined;
        break;
      }
      case "subtask.retrying": {
        subtask.status = "pending";
        subtask.retrying = true;
        const delay = count(data.retry_in_ms);
        const when = delay === undefined ? "" : ` in ${(delay / 1000).toFixed(1)} s`;
        subtask.note = `retrying${when}: ${text(data.error) ?? "transient failure"}`;
        break;
      }
      case "subtask.released":
        subtask.status = "pending";
        subtask.note = "released by an orchestrator that stopped; dispatched again";
        break;
      case "subtask.failed":
      case "subtask.skipped":
      case "subtask.cancelled":
        subtask.status = event.type.slice("subtask.".length) as SubtaskStatus;
        subtask.finishedAt = at;
        subtask.note = text(data.error) ?? text(data.reason);
        break;
      default:
        return undefined;
    }
    return subtask;
  }

  #applyToTask(event: TaskEvent, at: number): "task" | undefined {
    switch (event.type) {
      case "task.running":
        this.status = "running";
        this.startedAt ??= at;
        return "task";
      case "task.retrying": {
        const ids = Array.isArray(event.data.subtasks) ? (event.data.subtasks as unknown[]) : [];
        for (const id of ids) {
          const subtask = typeof id === "string" ? this.#byId.get(id) : undefined;
          if (!subtask) continue;
          Object.assign(subtask, {
            status: "pending",
            retrying: false,
            finishedAt: undefined,
            tokens: undefined,
            note: undefined,
          });
        }
        this.status = "pending";
        this.error = undefined;
        this.finishedAt = undefined;
        return "task";
      }
      case "task.succeeded":
      case "task.failed":
      case "task.partial":
      case "task.cancelled":
        this.status = event.type.slice("task.".length) as TaskStatus;
        this.error = text(event.data.error);
        this.finishedAt = at;
        return "task";
      default:
        return undefined;
    }
  }
}
