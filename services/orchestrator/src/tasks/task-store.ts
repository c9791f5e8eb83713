import type { Planner } from "@devtools/contracts/planning";
import type { ListTasksQuery, Priority, Subtask, Task, TaskPage } from "@devtools/contracts/task";
import type { Database, Db, Statement } from "@devtools/db/client";
import { subtasks, tasks } from "@devtools/db/schema";
import { HttpError } from "@devtools/service-kit/errors";
import { and, asc, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { Plan } from "../planner/plan-task.ts";
import { taskSummaryView, taskView } from "./task-view.ts";

export interface NewTask {
  id: string;
  description: string;
  priority: Priority;
  plan: Plan;
  planner: Planner;
  /** Why the rules planned it when the model was asked to. */
  plannerNote: string | null;
  now: Date;
  /** The token budget, if one was asked for. */
  maxTokens?: number | undefined;
  /** Where to POST the task's end, if anywhere. */
  callbackUrl?: string | undefined;
  /** The creating request's W3C trace context (see trace-context.ts), which its dispatches continue. */
  traceContext?: string | null | undefined;
}

// One statement writes any number of tasks with all their subtasks: atomic without BEGIN/COMMIT, and
// one round trip whatever the batch size. Rows travel as two JSON parameters, so the text never
// changes and the statement stays prepared.
const INSERT_TASKS = `
with new_tasks as (
  insert into tasks (id, description, priority, status, planner, planner_note, routing_plan, estimated_tokens,
                     max_tokens, callback_url, trace_context, created_at, updated_at)
  select id, description, priority, 'pending', planner, planner_note, routing_plan, estimated_tokens, max_tokens,
         callback_url, trace_context, created_at, created_at
  from jsonb_to_recordset($1::jsonb) as t(id uuid, description text, priority text, planner text, planner_note text,
                                          routing_plan jsonb, estimated_tokens integer, max_tokens integer,
                                          callback_url text, trace_context text, created_at timestamptz)
)
insert into subtasks (id, task_id, position, stage, agent_type, description, status, depends_on, waiting_on,
                      estimated_tokens, created_at, updated_at)
select id, task_id, position, stage, agent_type, description, 'pending', depends_on, cardinality(depends_on),
       estimated_tokens, created_at, created_at
from jsonb_to_recordset($2::jsonb) as s(id uuid, task_id uuid, position integer, stage integer, agent_type text,
                                        description text, depends_on uuid[], estimated_tokens integer,
                                        created_at timestamptz)`;

/** Writes tasks and all their subtasks in one statement: all of them are stored, or none. */
export async function insertTasks(database: Database, batch: readonly NewTask[]): Promise<void> {
  await database.query(...insertTasksStatement(batch));
}

/** The statement `insertTasks` runs, for a pipeline. */
export function insertTasksStatement(batch: readonly NewTask[]): Statement {
  const taskRows = batch.map((task) => ({
    id: task.id,
    description: task.description,
    priority: task.priority,
    planner: task.planner,
    planner_note: task.plannerNote,
    routing_plan: task.plan.routingPlan,
    estimated_tokens: task.plan.estimatedTokens,
    max_tokens: task.maxTokens ?? null,
    callback_url: task.callbackUrl ?? null,
    trace_context: task.traceContext ?? null,
    created_at: task.now.toISOString(),
  }));
  const subtaskRows = batch.flatMap((task) =>
    task.plan.subtasks.map((subtask) => ({
      id: subtask.id,
      task_id: task.id,
      position: subtask.position,
      stage: subtask.stage,
      agent_type: subtask.agentType,
      description: subtask.description,
      depends_on: subtask.dependsOn,
      estimated_tokens: subtask.estimatedTokens,
      created_at: task.now.toISOString(),
    })),
  );
  return [INSERT_TASKS, [JSON.stringify(taskRows), JSON.stringify(subtaskRows)]];
}

/** The view of a task just written: what `findTask` will read back. */
export function newTaskView(task: NewTask): Task {
  const subtasks: Subtask[] = task.plan.subtasks.map((subtask) => ({
    id: subtask.id,
    agent_type: subtask.agentType,
    description: subtask.description,
    status: "pending",
    depends_on: subtask.dependsOn,
    stage: subtask.stage,
    estimated_tokens: subtask.estimatedTokens,
    attempts: 0,
    generation: 0,
    result: null,
    error: null,
    usage: null,
    started_at: null,
    finished_at: null,
    next_attempt_at: null,
  }));
  const now = task.now.toISOString();
  return {
    task_id: task.id,
    description: task.description,
    priority: task.priority,
    status: "pending",
    planner: task.planner,
    planner_note: task.plannerNote,
    estimated_tokens: task.plan.estimatedTokens,
    error: null,
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    cancel_requested_at: null,
    max_tokens: task.maxTokens ?? null,
    callback_url: task.callbackUrl ?? null,
    subtasks,
    routing_plan: task.plan.routingPlan,
  };
}

/** Writes one task and its subtasks atomically, and returns the stored view. */
export async function createTask(database: Database, task: NewTask): Promise<Task> {
  await insertTasks(database, [task]);
  return newTaskView(task);
}

export async function findTask(db: Db, id: string): Promise<Task | undefined> {
  // The task first, its subtasks after: read side by side (two connections, two snapshots) a task
  // could show as ended beside a subtask still running, as the fault tests saw.
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  if (!row) return undefined;
  return taskView(row, await db.select().from(subtasks).where(eq(subtasks.taskId, id)).orderBy(asc(subtasks.position)));
}

interface Cursor {
  createdAt: Date;
  id: string;
}

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");

function decodeCursor(value: string): Cursor {
  const [createdAt, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const date = new Date(createdAt ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(date.getTime())) {
    throw new HttpError("validation_failed", "invalid query: cursor: is not a cursor this API returned", {
      fields: [{ field: "cursor", message: "is not a cursor this API returned", code: "invalid_cursor" }],
    });
  }
  return { createdAt: date, id };
}

/** Newest first, keyset-paginated so pages stay stable while tasks are added. */
export async function listTasks(db: Db, query: ListTasksQuery): Promise<TaskPage> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(tasks.status, query.status));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(
      or(
        lt(tasks.createdAt, cursor.createdAt),
        and(eq(tasks.createdAt, cursor.createdAt), lt(tasks.id, cursor.id)),
      ) as SQL,
    );
  }
  const rows = await db
    .select({
      task: tasks,
      // Spelled out: drizzle leaves columns unqualified here, and "id" would bind to subtasks.id.
      subtaskCount: sql<number>`(select count(*) from "subtasks" as s where s."task_id" = "tasks"."id")::int`,
    })
    .from(tasks)
    .where(and(...conditions))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => taskSummaryView(row.task, row.subtaskCount)),
    next_cursor: rows.length > query.limit && last ? encodeCursor(last.task) : null,
  };
}
