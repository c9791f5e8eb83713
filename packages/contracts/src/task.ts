import { z } from "zod";
import { ExecuteResult, TokenUsage } from "./agent.ts";
import { AgentType } from "./agent-type.ts";
import { Planner } from "./planning.ts";

export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export const Priority = z.enum(PRIORITIES).meta({ id: "Priority" });
export type Priority = z.infer<typeof Priority>;

export const TASK_STATUSES = ["pending", "running", "succeeded", "failed", "partial", "cancelled"] as const;
export const TaskStatus = z.enum(TASK_STATUSES).meta({ id: "TaskStatus" });
export type TaskStatus = z.infer<typeof TaskStatus>;
/** The statuses a task ends in; a retry can start it again. */
export const FINAL_TASK_STATUSES = [
  "succeeded",
  "failed",
  "partial",
  "cancelled",
] as const satisfies readonly TaskStatus[];

export const SUBTASK_STATUSES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export const SubtaskStatus = z.enum(SUBTASK_STATUSES).meta({ id: "SubtaskStatus" });
export type SubtaskStatus = z.infer<typeof SubtaskStatus>;
/** The statuses a subtask ends in; `failed`, `skipped` and `cancelled` can be retried. */
export const FINAL_SUBTASK_STATUSES = [
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
] as const satisfies readonly SubtaskStatus[];

const timestamp = z.iso.datetime({ offset: true });

export const Subtask = z
  .object({
    id: z.uuid(),
    agent_type: AgentType,
    description: z.string(),
    status: SubtaskStatus,
    depends_on: z.array(z.uuid()).meta({ description: "Subtasks that must succeed before this one runs." }),
    stage: z.number().int().nonnegative().meta({ description: "Index of the parallel stage this subtask belongs to." }),
    estimated_tokens: z.number().int().nonnegative(),
    attempts: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: "Dispatches to the agent in this generation (a retry of the task starts again at 0)." }),
    generation: z.number().int().nonnegative().meta({
      description:
        "Bumped by each retry of the task; with the subtask id it makes the idempotency key sent to the agent, so attempts within a generation never run the model twice.",
    }),
    result: ExecuteResult.nullable().meta({ description: "The agent's result once the subtask succeeded." }),
    error: z
      .string()
      .nullable()
      .meta({ description: "Why it failed, was skipped or cancelled; the last transient error while it is retried." }),
    usage: TokenUsage.nullable().meta({ description: "Tokens the agent's model used, once it succeeded." }),
    started_at: timestamp.nullable().meta({ description: "When it was first dispatched." }),
    finished_at: timestamp.nullable(),
    next_attempt_at: timestamp
      .nullable()
      .meta({ description: "When a pending subtask that failed transiently will be dispatched again." }),
  })
  .meta({ id: "Subtask" });
export type Subtask = z.infer<typeof Subtask>;

export const RoutingPlan = z
  .object({
    execution_order: z.array(z.uuid()).meta({ description: "A topological order of the subtasks." }),
    stages: z
      .array(z.array(z.uuid()))
      .meta({ description: "Groups of subtasks that can run in parallel; each stage waits for the previous ones." }),
    critical_path: z.array(z.uuid()).meta({ description: "The longest chain of dependent subtasks." }),
    estimated_duration_minutes: z.number().nonnegative(),
  })
  .meta({ id: "RoutingPlan" });
export type RoutingPlan = z.infer<typeof RoutingPlan>;

export const Task = z
  .object({
    task_id: z.uuid(),
    description: z.string(),
    priority: Priority,
    status: TaskStatus,
    planner: Planner,
    planner_note: z
      .string()
      .nullable()
      .meta({ description: "Why the rules made the plan when the model was asked to (its failure), else null." }),
    subtasks: z.array(Subtask),
    routing_plan: RoutingPlan,
    estimated_tokens: z.number().int().nonnegative(),
    error: z
      .string()
      .nullable()
      .meta({ description: "Why a task ended failed, partial or cancelled; null while it runs or when it succeeded." }),
    usage: TokenUsage.meta({ description: "Tokens used by the subtasks that succeeded so far." }),
    created_at: timestamp,
    updated_at: timestamp,
    started_at: timestamp.nullable().meta({ description: "When its first subtask was dispatched." }),
    finished_at: timestamp.nullable().meta({ description: "When it ended; null while pending or running." }),
    cancel_requested_at: timestamp.nullable(),
    max_tokens: z
      .number()
      .int()
      .positive()
      .nullable()
      .meta({ description: "The token budget asked for; null when there is none." }),
    callback_url: z.string().nullable().meta({ description: "Where the task's end is POSTed; null when nowhere." }),
  })
  .meta({ id: "Task", description: "A request, its subtasks and the plan that runs them." });
export type Task = z.infer<typeof Task>;

export const TaskSummary = Task.omit({ subtasks: true, routing_plan: true, usage: true })
  .extend({ subtask_count: z.number().int().nonnegative() })
  .meta({ id: "TaskSummary" });
export type TaskSummary = z.infer<typeof TaskSummary>;

export const TaskPage = z
  .object({
    items: z.array(TaskSummary),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` to read the next page; null on the last." }),
  })
  .meta({ id: "TaskPage" });
export type TaskPage = z.infer<typeof TaskPage>;

export const ListTasksQuery = z.strictObject({
  status: TaskStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

export const TaskIdParams = z.object({ id: z.uuid() });
