import { randomUUID } from "node:crypto";
import { createTestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { databaseTargetFrom, describeTarget } from "../src/config.ts";

describe.each(await testDatabaseKinds())("migrations on %s", (kind) => {
  it("create the orchestrator's and the gateway's tables with their constraints", async () => {
    const testDatabase = await createTestDatabase(kind);
    const database = await openDatabase(testDatabase.target);
    try {
      const result: unknown = await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      // postgres.js answers with the rows; PGlite with { rows }.
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { table_name: string }[];
      expect(rows.map((row) => row.table_name)).toEqual([
        "api_keys",
        "callback_deliveries",
        "linear_connections",
        "linear_task_links",
        "linear_webhook_deliveries",
        "oauth_states",
        "subtasks",
        "task_events",
        "tasks",
      ]);
      await expect(
        database.db.execute(
          sql`insert into tasks (id, description, priority, planner, routing_plan, estimated_tokens) values (gen_random_uuid(), 'x', 'urgent', 'rules', '{}', 1)`,
        ),
      ).rejects.toThrow();
      // A token budget must be positive.
      await expect(
        database.db.execute(
          sql`insert into tasks (id, description, priority, planner, routing_plan, estimated_tokens, max_tokens) values (gen_random_uuid(), 'x', 'low', 'rules', '{}', 1, 0)`,
        ),
      ).rejects.toThrow();
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});

describe.each(await testDatabaseKinds())("transactions on %s", (kind) => {
  it("commit when the work resolves and roll back every statement when it throws", async () => {
    const testDatabase = await createTestDatabase(kind);
    const database = await openDatabase(testDatabase.target);
    const insert = `insert into tasks (id, description, priority, planner, routing_plan, estimated_tokens)
                    values ($1, 'x', 'low', 'rules', '{}', 1)`;
    const count = async () =>
      Number((await database.query<{ n: string }>("select count(*)::text as n from tasks", []))[0]?.n);
    try {
      const kept = await database.transaction(async (query) => {
        await query(insert, [randomUUID()]);
        await query(insert, [randomUUID()]);
        return (await query<{ n: string }>("select count(*)::text as n from tasks", []))[0]?.n;
      });
      expect(kept).toBe("2");
      await expect(
        database.transaction(async (query) => {
          await query(insert, [randomUUID()]);
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await count()).toBe(2);
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});

describe("databaseTargetFrom", () => {
  const defaults = { POSTGRES_PORT: 5432, POSTGRES_DB: "devtools", POSTGRES_USER: "postgres", DATABASE_POOL_SIZE: 10 };

  it("prefers DATABASE_URL, then POSTGRES_HOST, then PGlite", () => {
    expect(
      databaseTargetFrom({ ...defaults, DATABASE_URL: "postgres://a@b/c", POSTGRES_HOST: "h" }, "orchestrator"),
    ).toMatchObject({
      kind: "postgres",
      url: "postgres://a@b/c",
    });
    const fromParts = databaseTargetFrom(
      { ...defaults, POSTGRES_HOST: "db", POSTGRES_PASSWORD: "p@ss word" },
      "orchestrator",
    );
    expect(fromParts).toMatchObject({ kind: "postgres", url: "postgres://postgres:p%40ss%20word@db:5432/devtools" });
    expect(databaseTargetFrom(defaults, "orchestrator")).toEqual({ kind: "pglite", dataDir: ".data/orchestrator" });
  });

  it("hides the password when describing a target", () => {
    expect(describeTarget({ kind: "postgres", url: "postgres://u:secret@h:5432/d", poolSize: 1 })).not.toContain(
      "secret",
    );
  });
});
