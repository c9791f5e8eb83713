import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@devtools/db/client";
import { createTestDatabase } from "@devtools/testkit/database";
import { freePort, type ServiceProcess } from "@devtools/testkit/process";
import { describe, expect, it } from "vitest";
import { THREE_STAGES } from "../support/execution.ts";
import { startOrchestrator } from "../support/processes.ts";
import {
  allEndedCorrectly,
  expectModelWorkOnce,
  faultDatabaseKind,
  startStage,
  tryOrchestrate,
} from "./support/fault-stack.ts";

describe("the orchestrator killed during a burst", () => {
  it("SIGKILLed while requests are in flight: every task answered 201 finishes after a restart, none is half-stored, no subtask's model work ran twice", async () => {
    const kind = await faultDatabaseKind();
    const dataDir = kind === "pglite" ? await mkdtemp(join(tmpdir(), "devtools-burst-kill-")) : undefined;
    const database = await createTestDatabase(kind, dataDir);
    // PGlite restarts on the same port (its leases are released at start); PostgreSQL's expire after LEASE_MS.
    const port = String(await freePort());
    const stage = await startStage({ simulator: { ttftMs: 200 }, database, orchestratorEnv: { PORT: port } });
    let second: ServiceProcess | undefined;
    try {
      const first = stage.orchestrator;
      const before = await stage.work();
      let answered = 0;
      // The kill lands as the fifth 201 arrives, with the rest of the burst still in flight.
      const burst = await Promise.all(
        Array.from({ length: 40 }, () =>
          tryOrchestrate(first, THREE_STAGES).then((task) => {
            if (task && ++answered === 5) first.child.kill("SIGKILL");
            return task;
          }),
        ),
      );
      await first.kill();
      const accepted = burst.filter((task) => task !== undefined);
      expect(accepted.length).toBeGreaterThanOrEqual(5);

      // Read before the restart: an embedded database has one process at a time.
      const rows = await (async () => {
        const db = await openDatabase(database.target);
        try {
          return await db.query<{ id: string; planned: number; stored: number }>(
            `select t.id, jsonb_array_length(t.routing_plan->'execution_order') as planned, count(s.id)::int as stored
             from tasks t left join subtasks s on s.task_id = t.id group by t.id`,
            [],
          );
        } finally {
          await db.close();
        }
      })();
      // Every accepted task is stored; every stored task has all its subtasks.
      const acceptedIds = accepted.map((task) => task.task_id);
      expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining(acceptedIds));
      for (const row of rows) expect(row.stored, `task ${row.id}`).toBe(row.planned);
      second = await startOrchestrator(database, { ...stage.orchestratorEnv, PORT: kind === "pglite" ? port : "0" });
      stage.orchestrator = second;
      // Requests that got no answer may have been stored (their first stage claimed as they were written):
      // they run to their end too, and count in the model work.
      const all = await allEndedCorrectly(
        second,
        rows.map((row) => row.id),
      );
      const byId = new Map(all.map((task) => [task.task_id, task.status]));
      expect(acceptedIds.map((id) => byId.get(id))).toEqual(Array(acceptedIds.length).fill("succeeded"));
      expectModelWorkOnce(before, await stage.work(), all);
    } finally {
      await stage.stop();
      await database.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  });
});
