import { createTestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";

describe.each(await testDatabaseKinds())("pipelines on %s", (kind) => {
  it("run the statements in order in one transaction, each seeing the earlier ones' writes", async () => {
    const testDatabase = await createTestDatabase(kind);
    const database = await openDatabase(testDatabase.target);
    try {
      await database.query("create table counters (name text primary key, value int not null)", []);
      // Twice: the first run on a connection prepares the statements, the second runs them prepared.
      for (const round of [1, 2]) {
        const answers = await database.pipeline([
          [
            "insert into counters (name, value) values ($1, $2) on conflict (name) do update set value = counters.value + $2 returning value",
            ["a", 10],
          ],
          ["update counters set value = value * 2 where name = $1 returning value", ["a"]],
          ["select value from counters where name = $1", ["a"]],
        ]);
        const expected =
          round === 1
            ? [[{ value: 10 }], [{ value: 20 }], [{ value: 20 }]]
            : [[{ value: 30 }], [{ value: 60 }], [{ value: 60 }]];
        expect(answers).toEqual(expected);
      }
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });

  it("apply nothing when a statement fails, and throw its error", async () => {
    const testDatabase = await createTestDatabase(kind);
    const database = await openDatabase(testDatabase.target);
    try {
      await database.query("create table things (id int primary key)", []);
      await expect(
        database.pipeline([
          ["insert into things (id) values ($1)", [1]],
          ["insert into things (id) values ($1)", [1]],
          ["insert into things (id) values ($1)", [2]],
        ]),
      ).rejects.toThrow(/duplicate key/);
      expect(await database.query("select count(*)::int as n from things", [])).toEqual([{ n: 0 }]);
      // The connection is usable afterwards.
      await database.pipeline([["insert into things (id) values ($1)", [3]]]);
      expect(await database.query("select id from things", [])).toEqual([{ id: 3 }]);
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});
