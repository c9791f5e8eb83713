import { setTimeout as delay } from "node:timers/promises";
import { createTestDatabase, postgresAvailable } from "@devtools/testkit/database";
import { terminateConnections } from "@devtools/testkit/postgres-server";
import { describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/client.ts";
import { databaseUnavailable } from "../src/unavailable.ts";

// Pipelines (half the callers: they hold a reserved connection the longest), transactions and
// single statements, as the services use them. This caught a call left waiting for ever (a
// statement written after the error that closed its connection; patches/postgres@3.4.9.patch).
async function work(database: Database, kind: number, round: number): Promise<void> {
  switch (kind % 4) {
    case 0:
    case 1:
      await database.pipeline([
        ["insert into marks (round) values ($1)", [round]],
        ["select pg_sleep(0.01)", []],
      ]);
      return;
    case 2:
      await database.transaction(async (query) => {
        await query("insert into marks (round) values ($1)", [round]);
        await query("select pg_sleep(0.01)", []);
      });
      return;
    default:
      await database.query("select count(*) from marks where round < $1", [round]);
  }
}

describe.runIf(await postgresAvailable())("connections terminated under load (pg_terminate_backend)", () => {
  it("fail only the calls they carried, with errors that say the database is unavailable; nothing hangs or crashes, and the pool recovers by itself", async () => {
    const testDatabase = await createTestDatabase("postgres");
    const database = await openDatabase(testDatabase.target);
    try {
      await database.query("create table marks (round int not null)", []);
      let stop = false;
      let succeeded = 0;
      const failures: unknown[] = [];
      const busy = new Set<number>();
      const workers = Array.from({ length: 24 }, async (_, worker) => {
        for (let round = 0; !stop; round += 1) {
          busy.add(worker);
          try {
            await work(database, worker, round);
            busy.delete(worker);
            succeeded += 1;
          } catch (error) {
            busy.delete(worker);
            failures.push(error);
            // A failed call returns at once; yield so that the loop cannot starve the timers.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      });
      let terminated = 0;
      for (let kill = 0; kill < 5; kill += 1) {
        await delay(200);
        terminated += await terminateConnections(testDatabase.env.DATABASE_URL as string);
      }
      await delay(200);
      stop = true;
      // Every call settles: a call stuck on a lost connection would keep its worker here.
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${busy.size} calls still waiting 10 s after the last termination`)),
          10_000,
        );
      });
      await Promise.race([Promise.all(workers), hung]).finally(() => clearTimeout(timer));

      expect(terminated).toBeGreaterThan(0);
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(databaseUnavailable(failure), String(failure)).toBeDefined();
      expect(succeeded).toBeGreaterThan(failures.length);
      // Recovered without a restart: each kind of call works on the same pool.
      for (const kind of [0, 2, 3]) await work(database, kind, 1);
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});
