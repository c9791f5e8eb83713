import { Task } from "@devtools/contracts/task";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "@devtools/testkit/database";
import {
  endpointFromOpenApi,
  expectServing,
  type FuzzEndpoint,
  fc,
  fetchOpenApi,
  fuzzEndpoint,
  fuzzRuns,
  postPathsOf,
  send,
} from "@devtools/testkit/fuzz";
import { freePort, type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orchestrate } from "../support/processes.ts";

const RUNS = fuzzRuns(1_000);
const FUZZED = ["/orchestrate", "/tasks/{id}/cancel", "/tasks/{id}/retry"];

// The orchestrator on the real PostgreSQL when it answers (else PGlite), planning only: with no
// agents to run them, tasks stay pending, so cancel and retry meet tasks in a known state.
describe("orchestrator POST endpoints under fuzzing", () => {
  let database: TestDatabase;
  let orchestrator: ServiceProcess;
  let document: Awaited<ReturnType<typeof fetchOpenApi>>;
  const knownTaskIds: string[] = [];
  // Callbacks go nowhere: a port nothing listens on, never a generated host name.
  let deadCallback: string;

  beforeAll(async () => {
    database = await createTestDatabase((await postgresAvailable()) ? "postgres" : "pglite");
    orchestrator = await startService("orchestrator", {
      ...database.env,
      EXECUTION_CONCURRENCY: "0",
      CALLBACK_SIGNING_SECRET: "fuzz-callback-signing-secret",
    });
    document = await fetchOpenApi(`${orchestrator.url}/openapi.json`);
    for (const description of ["Add a login form", "Deploy the API with Terraform"]) {
      knownTaskIds.push((await orchestrate(orchestrator, description)).task_id);
    }
    deadCallback = `http://127.0.0.1:${await freePort()}/hook`;
  });
  afterAll(async () => {
    await orchestrator?.stop();
    await database?.drop();
  });

  const taskId = () => fc.oneof(fc.constantFrom(...knownTaskIds), fc.uuid(), fc.string({ maxLength: 40 }));
  const endpoint = (path: string, extra: Partial<FuzzEndpoint> = {}) =>
    endpointFromOpenApi(document, path, { bodyLimitBytes: 1024 * 1024, ...extra });

  it("fuzzes every POST operation its openapi.json lists", () => {
    expect(postPathsOf(document)).toEqual([...FUZZED].sort());
  });

  it(`POST /orchestrate: ${RUNS} generated and malformed bodies get 2xx or a problem+json 4xx, never a 5xx; every accepted task is stored`, {
    timeout: 180_000,
  }, async () => {
    const report = await fuzzEndpoint(
      orchestrator.url,
      endpoint("/orchestrate", {
        // A long `Prefer: wait` would hold the request for minutes on a task that never runs here.
        parameterValues: { Prefer: fc.constantFrom("wait=0", "wait=abc", "wait=-5", "wait=1x", "respond-async", "") },
        bodyOverrides: { callback_url: fc.constant(deadCallback) },
      }),
      RUNS,
    );
    expect(report.statuses[201]).toBeGreaterThan(RUNS / 10);
    // Accepted work is not lost: every task answered 200/201 is readable.
    const ids = report.accepted.map((exchange) => Task.parse(JSON.parse(exchange.body)).task_id);
    for (let start = 0; start < ids.length; start += 16) {
      const reads = await Promise.all(
        ids.slice(start, start + 16).map((id) => fetch(`${orchestrator.url}/tasks/${id}`)),
      );
      expect(reads.map((read) => read.status)).toEqual(reads.map(() => 200));
      await Promise.all(reads.map((read) => read.arrayBuffer()));
    }
  });

  it.each(["/tasks/{id}/cancel", "/tasks/{id}/retry"])(
    `POST %s: ${RUNS} generated and malformed requests, known and unknown ids, get 2xx or a problem+json 4xx, never a 5xx`,
    { timeout: 120_000 },
    async (path) => {
      const report = await fuzzEndpoint(orchestrator.url, endpoint(path, { parameterValues: { id: taskId() } }), RUNS);
      expect(report.sent).toBeGreaterThanOrEqual(RUNS);
    },
  );

  it("is still healthy and ready, and plans a valid request, after the fuzzing", async () => {
    await expectServing(orchestrator.url);
    const answer = await send(orchestrator.url, {
      kind: "valid",
      target: "/orchestrate",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: "Add a health check endpoint", priority: "high" }),
    });
    expect(answer.status).toBe(201);
  });
});
