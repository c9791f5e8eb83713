import { randomUUID } from "node:crypto";
import { Problem } from "@devtools/contracts/problem";
import { Task } from "@devtools/contracts/task";
import { type Database, openDatabase } from "@devtools/db/client";
import { createLogger } from "@devtools/service-kit/logger";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrchestratorApp } from "../src/app.ts";
import { ExecutionEngine } from "../src/execution/engine.ts";
import { TaskEventNotifier } from "../src/execution/events.ts";
import { answer, ScriptedAgents, testLimits, untilAborted } from "./support/execution.ts";
import { readTaskEvents } from "./support/sse.ts";

const logger = createLogger("orchestrator", "silent");

describe.each(await testDatabaseKinds())("task routes on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let engine: ExecutionEngine;
  let agents: ScriptedAgents;
  let app: ReturnType<typeof createOrchestratorApp>;
  const closing = new AbortController();

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(20));
    const notifier = new TaskEventNotifier();
    engine = new ExecutionEngine({
      database,
      dispatcher: agents,
      notifier,
      logger,
      registry: new Registry(),
      instance: "routes:1",
      limits: testLimits(),
    });
    await engine.start();
    app = createOrchestratorApp({
      database,
      logger,
      execution: engine,
      notifier,
      eventsPollMs: 100,
      closing: closing.signal,
    });
  });
  afterEach(() => {
    agents.script = ScriptedAgents.succeedingAfter(20);
  });
  afterAll(async () => {
    closing.abort();
    await engine?.stop(0);
    await database?.close();
    await testDatabase?.drop();
  });

  const post = (path: string, body?: unknown) =>
    app.request(path, {
      method: "POST",
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  const orchestrate = async (description: string) =>
    Task.parse(await (await post("/orchestrate", { description })).json());
  const get = async (taskId: string) => Task.parse(await (await app.request(`/tasks/${taskId}`)).json());
  const finished = (taskId: string) =>
    waitFor(
      async () => {
        const task = await get(taskId);
        return task.finished_at ? task : undefined;
      },
      { what: `task ${taskId} to finish` },
    );
  async function expectProblem(response: Response, status: number, field?: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = Problem.parse(await response.json());
    if (field) expect(problem.errors?.map((error) => error.field)).toContain(field);
    return problem;
  }

  describe("GET /tasks/{id}", () => {
    it("shows each subtask's result, usage, attempts and times, and the task's totals, once it ran", async () => {
      const created = await orchestrate("Deploy new API endpoint with authentication");

      const task = await finished(created.task_id);

      expect(task).toMatchObject({ status: "succeeded", error: null, cancel_requested_at: null });
      expect(task.usage).toEqual({ prompt_tokens: 500, completion_tokens: 250, total_tokens: 750 });
      expect(Date.parse(task.finished_at ?? "")).toBeGreaterThanOrEqual(Date.parse(task.started_at ?? ""));
      for (const subtask of task.subtasks) {
        expect(subtask).toMatchObject({ status: "succeeded", attempts: 1, generation: 0, error: null });
        expect(subtask.result).toMatchObject({ subtask_id: subtask.id, agent_type: subtask.agent_type });
        expect(subtask.usage?.total_tokens).toBe(150);
        expect(subtask.started_at && subtask.finished_at).toBeTruthy();
      }
    });
  });

  describe("POST /tasks/{id}/cancel", () => {
    it("cancels a running task, aborting its agent calls, and answers the cancelled task", async () => {
      agents.script = (call) => untilAborted(call.signal);
      const created = await orchestrate("Deploy new API endpoint with authentication");
      await waitFor(
        () => (agents.calls.filter((call) => call.request.task_id === created.task_id).length === 2 ? true : undefined),
        { what: "stage 0 to be dispatched" },
      );

      const response = await post(`/tasks/${created.task_id}/cancel`);

      expect(response.status).toBe(200);
      const task = Task.parse(await response.json());
      expect(task).toMatchObject({ status: "cancelled", error: "cancelled by request" });
      expect(task.subtasks.every((subtask) => subtask.status === "cancelled")).toBe(true);
      const calls = agents.calls.filter((call) => call.request.task_id === created.task_id);
      expect(calls.every((call) => call.signal.aborted)).toBe(true);
    });

    it("answers 409 for a task that has ended, 404 for an unknown one and 400 for a bad id", async () => {
      const created = await orchestrate("Fix the login bug");
      await finished(created.task_id);

      await expectProblem(await post(`/tasks/${created.task_id}/cancel`), 409);
      await expectProblem(await post(`/tasks/${randomUUID()}/cancel`), 404);
      await expectProblem(await post("/tasks/nope/cancel"), 400, "id");
    });
  });

  describe("POST /tasks/{id}/retry", () => {
    it("runs again only what failed and what it skipped; what succeeded is not sent again", async () => {
      let infrastructureFails = true;
      const succeed = ScriptedAgents.succeedingAfter(5);
      agents.script = (call, index) =>
        call.agentType === "infrastructure" && infrastructureFails
          ? answer(422, { title: "Invalid model output", status: 422 })
          : succeed(call, index);
      const created = await orchestrate("Deploy new API endpoint with authentication");
      const partial = await finished(created.task_id);
      expect(partial.status).toBe("partial");
      const callsBefore = agents.calls.length;

      infrastructureFails = false;
      const response = await post(`/tasks/${created.task_id}/retry`);

      expect(response.status).toBe(200);
      const retried = Task.parse(await response.json());
      expect(retried.status).toBe("running");
      const done = await finished(created.task_id);
      expect(done.status).toBe("succeeded");
      const resent = agents.calls.slice(callsBefore).filter((call) => call.request.task_id === created.task_id);
      expect(resent.map((call) => call.agentType).sort()).toEqual(["cicd", "documentation", "infrastructure"]);
      expect(resent.every((call) => call.request.idempotency_key.endsWith(":1"))).toBe(true);
      const before = new Map(partial.subtasks.map((subtask) => [subtask.id, subtask]));
      for (const subtask of done.subtasks.filter((s) => s.generation === 0)) {
        expect(subtask.result).toEqual(before.get(subtask.id)?.result);
      }
    });

    it("answers 409 when nothing failed, 404 for an unknown task", async () => {
      const created = await orchestrate("Fix the login bug");
      await finished(created.task_id);

      const problem = await expectProblem(await post(`/tasks/${created.task_id}/retry`), 409);
      expect(problem.detail).toMatch(/no failed, skipped or cancelled subtask/);
      await expectProblem(await post(`/tasks/${randomUUID()}/retry`), 404);
    });
  });

  describe("GET /tasks/{id}/events", () => {
    it("streams the stored events, then the live ones, and ends after the final one", async () => {
      agents.script = ScriptedAgents.succeedingAfter(50);
      const created = await orchestrate("Deploy new API endpoint with authentication");

      const response = await app.request(`/tasks/${created.task_id}/events`);

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const { events, ended } = await readTaskEvents(response);
      expect(ended).toBe(true);
      expect(events[0]?.type).toBe("task.running");
      expect(events.at(-1)?.type).toBe("task.succeeded");
      expect(events.filter((event) => event.type === "subtask.succeeded")).toHaveLength(5);
      const ids = events.map((event) => event.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(events.every((event) => event.task_id === created.task_id)).toBe(true);
    });

    it("resumes after Last-Event-ID (or ?after=) without repeating or missing an event", async () => {
      const created = await orchestrate("Deploy new API endpoint with authentication");
      const first = await readTaskEvents(
        await app.request(`/tasks/${created.task_id}/events`),
        (events) => events.length >= 3,
      );
      expect(first.ended).toBe(false);
      const last = first.events.at(-1)?.id ?? 0;

      const rest = await readTaskEvents(
        await app.request(`/tasks/${created.task_id}/events`, { headers: { "last-event-id": String(last) } }),
      );
      const all = await readTaskEvents(await app.request(`/tasks/${created.task_id}/events`));
      const byQuery = await readTaskEvents(await app.request(`/tasks/${created.task_id}/events?after=${last}`));

      expect([...first.events, ...rest.events]).toEqual(all.events);
      expect(byQuery.events).toEqual(rest.events);
    });

    it("answers 404 for an unknown task and 400 for a malformed Last-Event-ID", async () => {
      await expectProblem(await app.request(`/tasks/${randomUUID()}/events`), 404);
      const created = await orchestrate("Fix the login bug");
      await expectProblem(
        await app.request(`/tasks/${created.task_id}/events`, { headers: { "last-event-id": "abc" } }),
        400,
        "last-event-id",
      );
      await expectProblem(await app.request(`/tasks/${created.task_id}/events?after=-1`), 400, "after");
    });
  });

  it("documents the new routes in the OpenAPI document", async () => {
    const document = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, object> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/tasks/{id}/cancel", "/tasks/{id}/retry", "/tasks/{id}/events"]),
    );
  });
});
