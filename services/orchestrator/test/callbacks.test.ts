import { createHmac, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { TaskCallback } from "@devtools/contracts/orchestrate";
import { Task } from "@devtools/contracts/task";
import { type Database, openDatabase } from "@devtools/db/client";
import { createLogger } from "@devtools/service-kit/logger";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOrchestratorApp } from "../src/app.ts";
import { CallbackDeliverer, type CallbackLimits, signCallback } from "../src/execution/callbacks.ts";
import { ExecutionEngine } from "../src/execution/engine.ts";
import { TaskEventNotifier } from "../src/execution/events.ts";
import { ScriptedAgents, testLimits, untilAborted } from "./support/execution.ts";

const logger = createLogger("orchestrator", "silent");
const SECRET = "test-signing-secret-0123456789";
const LIMITS: CallbackLimits = { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 2_000, batch: 16 };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A callback receiver on a free port: answers each POST with what `answer` says for its number. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { answer: (_index: number) => 204 };
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    received.push({ headers: request.headers, body });
    response.writeHead(state.answer(received.length - 1));
    response.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const verifies = (received: Received) => {
  const signed = `${received.headers["x-devtools-timestamp"]}.${received.body}`;
  const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(signed).digest("hex")}`);
  const given = Buffer.from(String(received.headers["x-devtools-signature"]));
  return given.length === expected.length && timingSafeEqual(given, expected);
};

describe("signCallback", () => {
  it("is the hex HMAC-SHA256 of the timestamp, a dot and the raw body, prefixed sha256=", () => {
    expect(signCallback("key", "1767225600", '{"a":1}')).toBe(
      `sha256=${createHmac("sha256", "key").update('1767225600.{"a":1}').digest("hex")}`,
    );
    expect(signCallback("key", "1767225601", '{"a":1}')).not.toBe(signCallback("key", "1767225600", '{"a":1}'));
  });
});

describe.each(await testDatabaseKinds())("task-ended callbacks on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let agents: ScriptedAgents;
  let engines: ExecutionEngine[] = [];
  let receiver: Receiver;
  let app: ReturnType<typeof createOrchestratorApp>;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.close();
    await testDatabase?.drop();
  });
  beforeEach(async () => {
    await database.query("delete from tasks", []);
    receiver.received.length = 0;
    receiver.state.answer = () => 204;
    agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(5));
  });
  afterEach(async () => {
    await Promise.all(engines.map((engine) => engine.stop(0)));
    engines = [];
  });

  /** `replicas` engines on the one database, each with its own deliverer; the app talks to the first. */
  async function startReplicas(replicas = 1, limits: Partial<CallbackLimits> = {}) {
    const notifier = new TaskEventNotifier();
    for (let n = 1; n <= replicas; n++) {
      const engine = new ExecutionEngine({
        database,
        dispatcher: agents,
        notifier,
        logger,
        registry: new Registry(),
        instance: `callbacks:${n}`,
        callbacks: new CallbackDeliverer({ database, secret: SECRET, logger, limits: { ...LIMITS, ...limits } }),
        limits: testLimits({ concurrency: 16, pollMs: 50 }),
      });
      await engine.start();
      engines.push(engine);
    }
    const [first] = engines;
    app = createOrchestratorApp({ database, logger, execution: first, notifier, callbacksEnabled: true });
  }

  const orchestrate = async (description: string, callback_url = receiver.url) => {
    const response = await app.request("/orchestrate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description, callback_url }),
    });
    expect(response.status).toBe(201);
    return Task.parse(await response.json());
  };
  const delivery = (taskId: string) =>
    database.query<{ attempts: number; delivered: boolean; abandoned: boolean; last_error: string | null }>(
      `select attempts, delivered_at is not null as delivered, abandoned_at is not null as abandoned, last_error
       from callback_deliveries where task_id = $1`,
      [taskId],
    );
  const settledDelivery = (taskId: string) =>
    waitFor(
      async () => {
        const [row] = await delivery(taskId);
        return row && (row.delivered || row.abandoned) ? row : undefined;
      },
      { what: `the callback of ${taskId} to be settled` },
    );
  const bodiesFor = (taskId: string) =>
    receiver.received.filter((received) => TaskCallback.parse(JSON.parse(received.body)).task_id === taskId);

  it("POSTs one signed callback per finished task, saying what GET /tasks/{id} says", async () => {
    await startReplicas();
    const created = await orchestrate("Deploy new API endpoint with authentication");

    expect(created.callback_url).toBe(receiver.url);
    expect((await settledDelivery(created.task_id)).delivered).toBe(true);

    const [received, ...more] = bodiesFor(created.task_id);
    expect(more).toEqual([]);
    if (!received) throw new Error("no callback received");
    expect(verifies(received)).toBe(true);
    expect(received.headers["content-type"]).toBe("application/json");
    const timestamp = Number(received.headers["x-devtools-timestamp"]);
    expect(Math.abs(timestamp - Date.now() / 1_000)).toBeLessThan(60);
    const task = Task.parse(await (await app.request(`/tasks/${created.task_id}`)).json());
    expect(TaskCallback.parse(JSON.parse(received.body))).toEqual({
      task_id: task.task_id,
      status: "succeeded",
      error: null,
      finished_at: task.finished_at,
      usage: task.usage,
    });
  });

  it("delivers each callback exactly once when two replicas deliver side by side", async () => {
    await startReplicas(2);
    const created = await Promise.all(
      ["Fix the login bug", "Add a cache", "Write the docs"].map((d) => orchestrate(d)),
    );

    for (const task of created) expect((await settledDelivery(task.task_id)).delivered).toBe(true);
    // Both replicas keep polling; nothing more may arrive.
    for (const engine of engines) await engine.stop(0);

    for (const task of created) expect(bodiesFor(task.task_id)).toHaveLength(1);
    expect(receiver.received.every(verifies)).toBe(true);
  });

  it("retries a receiver that fails, with backoff, until it answers 2xx", async () => {
    receiver.state.answer = (index) => (index < 2 ? 503 : 200);
    await startReplicas();
    const created = await orchestrate("Fix the login bug");

    const row = await settledDelivery(created.task_id);

    expect(row).toMatchObject({ delivered: true, attempts: 3, last_error: null });
    const received = bodiesFor(created.task_id);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(received.every(verifies)).toBe(true);
  });

  it("gives up after its attempts, keeping the last error", async () => {
    receiver.state.answer = () => 500;
    await startReplicas(1, { maxAttempts: 3 });
    const created = await orchestrate("Fix the login bug");

    const row = await settledDelivery(created.task_id);

    expect(row).toMatchObject({ delivered: false, abandoned: true, attempts: 3, last_error: "answered 500" });
    expect(bodiesFor(created.task_id)).toHaveLength(3);
  });

  it("tells the callback of a cancelled task", async () => {
    agents.script = (call) => untilAborted(call.signal);
    await startReplicas();
    const created = await orchestrate("Fix the login bug");

    const cancelled = await app.request(`/tasks/${created.task_id}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);

    expect((await settledDelivery(created.task_id)).delivered).toBe(true);
    const [received] = bodiesFor(created.task_id);
    expect(JSON.parse(received?.body ?? "{}")).toMatchObject({ status: "cancelled", error: "cancelled by request" });
  });

  it("queues no callback for a task without callback_url", async () => {
    await startReplicas();
    const response = await app.request("/orchestrate", {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=10" },
      body: JSON.stringify({ description: "Fix the login bug" }),
    });
    expect(response.status).toBe(200);
    const task = Task.parse(await response.json());

    expect(await delivery(task.task_id)).toEqual([]);
  });
});
