import type { ListTasksQuery, Priority, Task, TaskPage } from "@devtools/contracts/task";
import type { Db } from "@devtools/db/client";
import { type NewSubtaskRow, type NewTaskRow, subtasks, tasks } from "@devtools/db/schema";
import { HttpError } from "@devtools/service-kit/errors";
import { and, asc, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { Plan } from "../planner/plan-task.ts";
import { taskSummaryView, taskView } from "./task-view.ts";

export interface NewTask {
  id: string;
  description: string;
  priority: Priority;
  plan: Plan;
  now: Date;
}

/** Writes a task and all its subtasks in one transaction, and returns the stored view. */
export async function createTask(db: Db, task: NewTask): Promise<Task> {
  const taskRow: NewTaskRow & { createdAt: Date; updatedAt: Date } = {
    id: task.id,
    description: task.description,
    priority: task.priority,
    status: "pending",
    planner: "rules",
    routingPlan: task.plan.routingPlan,
    estimatedTokens: task.plan.estimatedTokens,
    createdAt: task.now,
    updatedAt: task.now,
  };
  const subtaskRows = task.plan.subtasks.map(
    (subtask): NewSubtaskRow => ({
      id: subtask.id,
      taskId: task.id,
      position: subtask.position,
      stage: subtask.stage,
      agentType: subtask.agentType,
      description: subtask.description,
      status: "pending",
      dependsOn: subtask.dependsOn,
      estimatedTokens: subtask.estimatedTokens,
      createdAt: task.now,
      updatedAt: task.now,
    }),
  );
  await db.transaction(async (tx) => {
    await tx.insert(tasks).values(taskRow);
    await tx.insert(subtasks).values(subtaskRows);
  });
  return taskView(
    { error: null, startedAt: null, finishedAt: null, status: "pending", ...taskRow },
    subtaskRows.map((row) => ({
      attempts: 0,
      result: null,
      error: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      startedAt: null,
      finishedAt: null,
      status: "pending",
      dependsOn: [],
      createdAt: task.now,
      updatedAt: task.now,
      ...row,
    })),
  );
}

export async function findTask(db: Db, id: string): Promise<Task | undefined> {
  const [taskRows, subtaskRows] = await Promise.all([
    db.select().from(tasks).where(eq(tasks.id, id)),
    db.select().from(subtasks).where(eq(subtasks.taskId, id)).orderBy(asc(subtasks.position)),
  ]);
  const [row] = taskRows;
  return row ? taskView(row, subtaskRows) : undefined;
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
