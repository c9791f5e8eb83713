import { randomUUID } from "node:crypto";
import { type Database, openDatabase } from "@devtools/db/client";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planTask } from "../src/planner/plan-task.ts";
import { createTask, findTask, listTasks } from "../src/tasks/task-store.ts";

const RULES = { planner: "rules", plannerNote: null } as const;

describe.each(await testDatabaseKinds())("task store on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  const store = (description: string, now: Date, priority: "low" | "high" = "high") =>
    createTask(database, { id: randomUUID(), description, priority, plan: planTask(description), ...RULES, now });

  it("reads back a task exactly as it was created, subtasks in plan order", async () => {
    const created = await store("Deploy new API endpoint with authentication", new Date("2026-01-01T00:00:00Z"));
    const found = await findTask(database.db, created.task_id);
    expect(found).toEqual(created);
    expect(found?.subtasks.map((subtask) => subtask.id)).toEqual(created.routing_plan.execution_order);
  });

  it("answers undefined for an unknown id", async () => {
    expect(await findTask(database.db, randomUUID())).toBeUndefined();
  });

  it("pages newest first with a cursor, without gaps or repeats, and filters by status", async () => {
    const base = Date.parse("2026-02-01T00:00:00Z");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store(`Add feature ${i}`, new Date(base + i * 1000))).task_id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTasks(database.db, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.task_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const newest = seen.filter((id) => ids.includes(id));
    expect(newest).toEqual(ids.toReversed());
    expect(new Set(seen).size).toBe(seen.length);
    const first = await listTasks(database.db, { limit: 1 });
    expect(first.items[0]?.subtask_count).toBeGreaterThan(0);
    expect((await listTasks(database.db, { limit: 10, status: "running" })).items).toEqual([]);
    expect((await listTasks(database.db, { limit: 100, status: "pending" })).items.length).toBe(seen.length);
  });

  it("rejects a cursor it did not make", async () => {
    await expect(listTasks(database.db, { limit: 5, cursor: "bm9wZQ" })).rejects.toMatchObject({ status: 400 });
  });

  it("writes nothing when a subtask insert fails: the task and its subtasks share one transaction", async () => {
    const plan = planTask("Add pagination to the /users endpoint");
    const broken = { ...plan, subtasks: plan.subtasks.map((subtask) => ({ ...subtask, agentType: "nope" as "cicd" })) };
    const id = randomUUID();
    await expect(
      createTask(database, { id, description: "x", priority: "low", plan: broken, ...RULES, now: new Date() }),
    ).rejects.toThrow();
    expect(await findTask(database.db, id)).toBeUndefined();
  });

  it("applies migrations idempotently when the database is opened again", async () => {
    const again = await openDatabase(testDatabase.target);
    try {
      await again.ping();
    } finally {
      await again.close();
    }
  });
});
