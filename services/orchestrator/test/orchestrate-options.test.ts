import { Problem } from "@devtools/contracts/problem";
import { Task } from "@devtools/contracts/task";
import { type Database, openDatabase } from "@devtools/db/client";
import { createLogger } from "@devtools/service-kit/logger";
import { type RunningService, serveApp } from "@devtools/service-kit/serve";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrchestratorApp } from "../src/app.ts";
import { ExecutionEngine } from "../src/execution/engine.ts";
import { TaskEventNotifier } from "../src/execution/events.ts";
import { preferredWait } from "../src/tasks/task-end.ts";
import { ScriptedAgents, testLimits, untilAborted } from "./support/execution.ts";

const logger = createLogger("orchestrator", "silent");

/** Counts the waits in progress: each holds one subscription until it ends. */
class CountingNotifier extends TaskEventNotifier {
  subscribed = 0;

  override subscribe(taskId: string, listener: (ended: boolean) => void): () => void {
    this.subscribed++;
    const unsubscribe = super.subscribe(taskId, listener);
    return () => {
      this.subscribed--;
      unsubscribe();
    };
  }
}

describe("preferredWait", () => {
  it("reads wait=<seconds> among other preferences, caps it, and ignores malformed ones", () => {
    expect(preferredWait("wait=10", 300)).toBe(10);
    expect(preferredWait("respond-async, wait=5", 300)).toBe(5);
    expect(preferredWait('WAIT = "7"; foo=bar', 300)).toBe(7);
    expect(preferredWait("wait=100000", 300)).toBe(300);
    expect(preferredWait("wait=0", 300)).toBeUndefined();
    expect(preferredWait("wait=-1", 300)).toBeUndefined();
    expect(preferredWait("wait=1.5", 300)).toBeUndefined();
    expect(preferredWait("wait=abc", 300)).toBeUndefined();
    expect(preferredWait("return=minimal", 300)).toBeUndefined();
    expect(preferredWait("", 300)).toBeUndefined();
  });
});

describe.each(await testDatabaseKinds())("POST /orchestrate options on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let engine: ExecutionEngine;
  let agents: ScriptedAgents;
  let app: ReturnType<typeof createOrchestratorApp>;
  let server: RunningService;
  let notifier: CountingNotifier;
  const closing = new AbortController();

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(10));
    notifier = new CountingNotifier();
    engine = new ExecutionEngine({
      database,
      dispatcher: agents,
      notifier,
      logger,
      registry: new Registry(),
      instance: "options:1",
      limits: testLimits(),
    });
    await engine.start();
    // Events other replicas write are polled for: slowly here, so that a wake must come from the notifier.
    app = createOrchestratorApp({ database, logger, execution: engine, notifier, eventsPollMs: 5_000 });
    server = await serveApp(app, {
      port: 0,
      host: "127.0.0.1",
      logger,
      shutdownTimeoutMs: 1_000,
      handleSignals: false,
    });
  });
  afterEach(() => {
    agents.script = ScriptedAgents.succeedingAfter(10);
  });
  afterAll(async () => {
    closing.abort();
    await server?.shutdown("tests done");
    await engine?.stop(0);
    await database?.close();
    await testDatabase?.drop();
  });

  /** Over a real connection: a client that goes away closes its socket. */
  const orchestrate = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`http://127.0.0.1:${server.port}/orchestrate`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  async function expectProblem(response: Response, status: number, field: string) {
    expect(response.status).toBe(status);
    const problem = Problem.parse(await response.json());
    expect(problem.errors?.map((error) => error.field)).toContain(field);
    return problem;
  }

  describe("Prefer: wait", () => {
    it("answers 200 with the finished task when it ends within the wait", async () => {
      const started = Date.now();
      const response = await orchestrate(
        { description: "Deploy new API endpoint with authentication" },
        { prefer: "wait=10" },
      );

      expect(response.status).toBe(200);
      expect(response.headers.get("preference-applied")).toBe("wait=10");
      const task = Task.parse(await response.json());
      expect(task).toMatchObject({ status: "succeeded", error: null });
      expect(task.subtasks.every((subtask) => subtask.status === "succeeded")).toBe(true);
      expect(response.headers.get("location")).toBe(`/tasks/${task.task_id}`);
      // Woken by the final event, not by the 5 s poll.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(await (await app.request(`/tasks/${task.task_id}`)).json()).toEqual(task);
    });

    it("answers 201 with the plan after about the wait when the task is still running", async () => {
      agents.script = (call) => untilAborted(call.signal);
      const started = Date.now();
      const response = await orchestrate({ description: "Fix the login bug" }, { prefer: "wait=1" });
      const elapsed = Date.now() - started;

      expect(response.status).toBe(201);
      expect(response.headers.get("preference-applied")).toBeNull();
      expect(Task.parse(await response.json()).status).toBe("pending");
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(3_000);
    });

    it("answers 201 at once without a Prefer, or with a malformed one", async () => {
      agents.script = (call) => untilAborted(call.signal);
      for (const headers of [{}, { prefer: "wait=soon" }, { prefer: "respond-async" }] as Record<string, string>[]) {
        const started = Date.now();
        const response = await orchestrate({ description: "Fix the login bug" }, headers);
        expect(response.status).toBe(201);
        expect(Date.now() - started).toBeLessThan(900);
      }
    });

    it("stops waiting when the client goes away; the task runs on", async () => {
      agents.script = (call) => untilAborted(call.signal);
      const client = new AbortController();
      const before = agents.calls.length;
      const waiting = orchestrate({ description: "Fix the login bug" }, { prefer: "wait=60" }, client.signal);
      await waitFor(() => (notifier.subscribed === 1 ? true : undefined), { what: "the wait to begin" });
      const call = await waitFor(() => agents.calls[before], { what: "the task to be dispatched" });

      client.abort();

      await expect(waiting).rejects.toThrow();
      await waitFor(() => (notifier.subscribed === 0 ? true : undefined), {
        what: "the server to stop waiting",
        timeoutMs: 3_000,
      });
      const task = Task.parse(await (await app.request(`/tasks/${call.request.task_id}`)).json());
      expect(task.status).toBe("running");
      expect(call.signal.aborted).toBe(false);
    });
  });

  describe("max_tokens and callback_url", () => {
    it("stores them on the task and shows them", async () => {
      const response = await orchestrate({ description: "Fix the login bug", max_tokens: 1_000 });

      expect(response.status).toBe(201);
      const task = Task.parse(await response.json());
      expect(task).toMatchObject({ max_tokens: 1_000, callback_url: null });
      const stored = Task.parse(await (await app.request(`/tasks/${task.task_id}`)).json());
      expect(stored).toMatchObject({ max_tokens: 1_000, callback_url: null });
    });

    it("rejects a max_tokens that is not a positive integer", async () => {
      for (const max_tokens of [0, -5, 1.5, "10"]) {
        await expectProblem(await orchestrate({ description: "Fix the login bug", max_tokens }), 400, "max_tokens");
      }
    });

    it("refuses a callback_url when no signing secret is configured, naming the variable", async () => {
      const problem = await expectProblem(
        await orchestrate({ description: "Fix the login bug", callback_url: "https://example.com/hook" }),
        400,
        "callback_url",
      );
      expect(problem.detail).toMatch(/CALLBACK_SIGNING_SECRET/);
    });

    it("rejects a callback_url that is not an http(s) URL", async () => {
      for (const callback_url of ["ftp://example.com/x", "not a url", "file:///etc/passwd"]) {
        await expectProblem(await orchestrate({ description: "Fix the login bug", callback_url }), 400, "callback_url");
      }
    });
  });

  it("documents Prefer, Preference-Applied, max_tokens and callback_url", async () => {
    const document = JSON.stringify(await (await app.request("/openapi.json")).json());
    for (const name of ['"Prefer"', '"Preference-Applied"', '"max_tokens"', '"callback_url"']) {
      expect(document).toContain(name);
    }
  });
});
