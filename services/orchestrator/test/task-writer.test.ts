import { type Database, openDatabase } from "@devtools/db/client";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTask, type NewTask } from "../src/tasks/task-store.ts";
import { TaskWriter } from "../src/tasks/task-writer.ts";
import { newTask } from "./support/execution.ts";

describe.each(await testDatabaseKinds())("task writer on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let statements = 0;
  /** The database, counting the statements the writer sends. */
  let counted: Database;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    counted = {
      ...database,
      query: (text, params) => {
        statements++;
        return database.query(text, params);
      },
    };
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it("stores every task of a burst, sharing statements between tasks that arrive together", async () => {
    const writer = new TaskWriter(counted, { concurrency: 2 });
    const tasks = Array.from({ length: 40 }, (_, i) => newTask(`Add endpoint number ${i} with authentication`));
    statements = 0;

    await Promise.all(tasks.map((task) => writer.write(task)));

    expect(statements).toBeLessThan(tasks.length);
    for (const task of tasks) {
      const stored = await findTask(database.db, task.id);
      expect(stored?.subtasks.map((subtask) => subtask.id)).toEqual(task.plan.routingPlan.execution_order);
    }
  });

  it("writes a lone task at once, in a statement of its own", async () => {
    const writer = new TaskWriter(counted);
    statements = 0;

    const task = newTask("Fix the login bug");
    await writer.write(task);

    expect(statements).toBe(1);
    expect(await findTask(database.db, task.id)).toBeDefined();
  });

  it("fails only the bad task of a batch; the others are stored", async () => {
    const writer = new TaskWriter(counted, { concurrency: 1 });
    const good = Array.from({ length: 6 }, (_, i) => newTask(`Review module ${i} for security issues`));
    const bad = newTask("Document the release process");
    const broken: NewTask = {
      ...bad,
      plan: { ...bad.plan, subtasks: bad.plan.subtasks.map((s) => ({ ...s, agentType: "nope" as "cicd" })) },
    };

    // The first write takes the only slot; the rest queue and go together in one batch that fails.
    const results = await Promise.allSettled([...good, broken].map((task) => writer.write(task)));

    expect(results.slice(0, good.length).every((result) => result.status === "fulfilled")).toBe(true);
    expect(results.at(-1)?.status).toBe("rejected");
    for (const task of good) expect(await findTask(database.db, task.id)).toBeDefined();
    expect(await findTask(database.db, bad.id)).toBeUndefined();
  });
});
