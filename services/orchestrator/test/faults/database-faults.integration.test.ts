import { setTimeout as delay } from "node:timers/promises";
import { createTestDatabase, postgresAvailable } from "@devtools/testkit/database";
import { postgresBinaries, startPostgresServer, terminateConnections } from "@devtools/testkit/postgres-server";
import { describe, expect, it } from "vitest";
import { THREE_STAGES } from "../support/execution.ts";
import { finished, orchestrate } from "../support/processes.ts";
import {
  acceptedDuring,
  allEndedCorrectly,
  expectModelWorkOnce,
  orchestrateMany,
  readyAgain,
  type Stage,
  startStage,
} from "./support/fault-stack.ts";

// The orchestrator's PostgreSQL misbehaving under a burst of tasks. Requests refused during the
// fault are not accepted work; every request answered 201 must end correctly, and the service must
// come back (/ready 200, new requests accepted and run) with nobody restarting it.
const ci = Boolean(process.env.CI);
// Both once killed the orchestrator (postgres.js writing to a closed socket, or rejecting a query
// nobody awaited) or stranded its dispatches and statements on the pool, and its reconnect backoff
// kept it idle for up to 20 s; patches/postgres@3.4.9.patch and reconnectBackoffSeconds are the fixes.
const hasPostgres = await postgresAvailable();
const hasServerBinaries = postgresBinaries() !== undefined;
if (!hasPostgres && !ci) console.warn("skipping pg_terminate_backend: no PostgreSQL answers at 127.0.0.1:5432");
if (!hasServerBinaries && !ci)
  console.warn("skipping the database restart: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin");

/** The end of a fault: every accepted task ends correctly, /ready is 200 again, a new task runs. */
async function recovered(stage: Stage, accepted: readonly string[], before: Awaited<ReturnType<Stage["work"]>>) {
  const tasks = await allEndedCorrectly(stage.orchestrator, accepted);
  expect(tasks.map((task) => task.status)).toEqual(Array(tasks.length).fill("succeeded"));
  await readyAgain(stage.orchestrator);
  const fresh = await finished(stage.orchestrator, (await orchestrate(stage.orchestrator, THREE_STAGES)).task_id);
  expect(fresh.status).toBe("succeeded");
  expectModelWorkOnce(before, await stage.work(), [...tasks, fresh]);
}

describe("database faults", () => {
  it.skipIf(!(hasPostgres || ci))(
    "with every connection of the orchestrator's database terminated (pg_terminate_backend) during a burst, every accepted task ends and the service recovers by itself",
    async () => {
      const stage = await startStage({
        simulator: { ttftMs: 200 },
        database: await createTestDatabase("postgres"),
        orchestratorEnv: { SUBTASK_MAX_ATTEMPTS: "20" },
      });
      try {
        const before = await stage.work();
        const first = await orchestrateMany(stage.orchestrator, 10, THREE_STAGES);
        let terminated = 0;
        const during = await acceptedDuring(stage.orchestrator, THREE_STAGES, async () => {
          for (let round = 0; round < 8; round++) {
            terminated += await terminateConnections(stage.database.env.DATABASE_URL as string);
            await delay(150);
          }
        });

        expect(terminated).toBeGreaterThan(0);
        await recovered(
          stage,
          [...first, ...during].map((task) => task.task_id),
          before,
        );
      } finally {
        await stage.stop();
        await stage.database.drop();
      }
    },
  );

  it.skipIf(!(hasServerBinaries || ci))(
    "with its PostgreSQL server crashed and started again during a burst, every accepted task ends and the service recovers by itself",
    async () => {
      const server = await startPostgresServer();
      let stage: Stage | undefined;
      try {
        stage = await startStage({
          simulator: { ttftMs: 200 },
          database: server.database,
          orchestratorEnv: { SUBTASK_MAX_ATTEMPTS: "20" },
        });
        const before = await stage.work();
        const first = await orchestrateMany(stage.orchestrator, 10, THREE_STAGES);
        const during = await acceptedDuring(stage.orchestrator, THREE_STAGES, async () => {
          await delay(300);
          await server.stop("immediate");
          // Down long enough for leases to lapse and for /ready to say so.
          const ready = await fetch(`${stage?.orchestrator.url}/ready`);
          expect(ready.status).toBe(503);
          await delay(1_500);
          await server.start();
        });

        await recovered(
          stage,
          [...first, ...during].map((task) => task.task_id),
          before,
        );
      } finally {
        await stage?.stop();
        await server.close();
      }
    },
  );
});
