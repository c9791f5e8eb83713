import type { Task } from "@devtools/contracts/task";
import type { Database } from "@devtools/db/client";
import { withTestDatabase } from "@devtools/db/testing";
import { createLogger } from "@devtools/service-kit/logger";
import { testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimRunnableSubtasks } from "../src/execution/claim.ts";
import { ExecutionEngine, type ExecutionLimits } from "../src/execution/engine.ts";
import { TaskEventNotifier } from "../src/execution/events.ts";
import { cancelTask } from "../src/execution/task-commands.ts";
import { findTask } from "../src/tasks/task-store.ts";
import { TaskWriter } from "../src/tasks/task-writer.ts";
import {
  ALL_AGENTS,
  answer,
  eventTrail,
  FIVE_SUBTASKS,
  newTask,
  refused,
  ScriptedAgents,
  storeTask,
  untilAborted,
} from "./support/execution.ts";

const logger = createLogger("orchestrator", "silent");
const LIMITS: ExecutionLimits = {
  concurrency: 32,
  agentConcurrency: 8,
  leaseMs: 900,
  pollMs: 50,
  subtaskTimeoutMs: 60_000,
  retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200 },
};
const FINAL = new Set(["succeeded", "failed", "partial", "cancelled"]);

describe.each(await testDatabaseKinds())("execution engine on %s", (kind) => {
  let database: Database;
  let engines: ExecutionEngine[] = [];
  let registry: Registry;
  withTestDatabase(kind, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.query("delete from tasks", []);
  });
  afterEach(async () => {
    await Promise.all(engines.map((engine) => engine.stop(0)));
    engines = [];
  });

  async function startEngine(
    agents: ScriptedAgents,
    {
      limits = LIMITS,
      instance = "test:1",
      through = database,
    }: { limits?: Partial<ExecutionLimits>; instance?: string; through?: Database } = {},
  ) {
    registry = new Registry();
    const engine = new ExecutionEngine({
      database: through,
      dispatcher: agents,
      notifier: new TaskEventNotifier(),
      logger,
      registry,
      limits: { ...LIMITS, ...limits },
      instance,
    });
    engines.push(engine);
    await engine.start();
    return engine;
  }

  const read = async (taskId: string) => (await findTask(database.db, taskId)) as Task;
  const finished = (taskId: string, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        const task = await read(taskId);
        return FINAL.has(task.status) ? task : undefined;
      },
      { timeoutMs, what: `task ${taskId} to finish` },
    );
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const found = (await registry.getSingleMetric(name)?.get())?.values.filter((value) =>
      Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
    );
    return (found ?? []).reduce((sum, value) => sum + value.value, 0);
  };

  it("runs each stage as soon as its dependencies succeed, with upstream results and a stable idempotency key", async () => {
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(40));
    const engine = await startEngine(agents);
    const { task, idOf } = await storeTask(database);
    engine.wake();

    const done = await finished(task.task_id);

    expect(done.status).toBe("succeeded");
    expect(done.usage.total_tokens).toBe(750);
    const [code] = agents.callsTo("feature-dev");
    const [infra] = agents.callsTo("infrastructure");
    const [review] = agents.callsTo("code-review");
    const [docs] = agents.callsTo("documentation");
    if (!code?.answeredAt || !infra?.answeredAt || !review) throw new Error("missing calls");
    // Stage 0 runs in parallel; code-review starts once feature-dev answered, not after infrastructure.
    expect(Math.abs(code.at - infra.at)).toBeLessThan(30);
    expect(review.at).toBeGreaterThanOrEqual(code.answeredAt);
    expect(review.request.upstream.map((upstream) => upstream.agent_type)).toEqual(["feature-dev"]);
    expect(review.request.idempotency_key).toBe(`${idOf["code-review"]}:0`);
    expect(docs?.request.upstream.map((upstream) => upstream.agent_type).sort()).toEqual([
      "cicd",
      "code-review",
      "feature-dev",
      "infrastructure",
    ]);
    expect(agents.calls.length).toBe(5);
    expect(await metric("orchestrator_subtasks_total", { outcome: "succeeded" })).toBe(5);
    expect(await metric("orchestrator_tasks_finished_total", { status: "succeeded" })).toBe(1);
    expect(await metric("orchestrator_tokens_total", { kind: "completion" })).toBe(250);
  });

  it("claims the dependants a success frees in the transaction that records it", async () => {
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(20));
    // No poll: a poll's claim holds the free capacity while it runs, and a success recorded meanwhile
    // leaves its dependants to the claim after it (seen once on a loaded machine).
    const engine = await startEngine(agents, { limits: { pollMs: 600_000 } });
    const { task } = await storeTask(database);
    engine.wake();

    expect((await finished(task.task_id)).status).toBe("succeeded");
    // now() is a transaction's start time, distinct per transaction: a dependant that started at the
    // very instant one of its dependencies finished was claimed by the transaction that recorded that
    // success (the one that freed it, which is not always the one that began last), not by a later claim.
    const handOffs = await database.query<{ agent_type: string; same_transaction: boolean }>(
      `select d.agent_type,
              d.started_at in (select s.finished_at from subtasks s where s.id = any(d.depends_on)) as same_transaction
       from subtasks d where d.task_id = $1 and cardinality(d.depends_on) > 0 order by d.position`,
      [task.task_id],
    );
    expect(handOffs).toEqual([
      { agent_type: "code-review", same_transaction: true },
      { agent_type: "cicd", same_transaction: true },
      { agent_type: "documentation", same_transaction: true },
    ]);
  });

  it("claims a new task's first stage in the transaction that writes it: the whole plan runs without a claim of its own", async () => {
    let claims = 0;
    // The engine's own claims go through `query`; the ones that ride in another transaction, through `pipeline`.
    const counting: Database = {
      ...database,
      query: async <Row>(text: string, params: readonly unknown[]) => {
        const rows = await database.query<Row>(text, params);
        if (text.includes("with quota as")) claims++;
        return rows;
      },
    };
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(20));
    // No poll during the test: whatever is claimed, is claimed because an event made it runnable.
    const engine = await startEngine(agents, { limits: { pollMs: 600_000 }, through: counting });
    await waitFor(async () => (claims > 0 ? true : undefined), { what: "the claim at start" });
    claims = 0;
    const writer = new TaskWriter(database, { execution: engine });
    const task = newTask(FIVE_SUBTASKS);

    await writer.write(task);
    const running = (await read(task.id)).subtasks.filter((subtask) => subtask.status === "running");
    const done = await finished(task.id);

    expect(running.map((subtask) => subtask.agent_type).sort()).toEqual(["feature-dev", "infrastructure"]);
    expect(done.status).toBe("succeeded");
    expect(agents.calls).toHaveLength(5);
    expect(claims).toBe(0);
  });

  it("never runs more than its global and per-agent limits at once, hand-offs included", async () => {
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const step = (key: string, by: number) => {
      running.set(key, (running.get(key) ?? 0) + by);
      peak.set(key, Math.max(peak.get(key) ?? 0, running.get(key) ?? 0));
    };
    const succeed = ScriptedAgents.succeedingAfter(15);
    const agents = new ScriptedAgents(async (call, index) => {
      step("all", 1);
      step(call.agentType, 1);
      try {
        return await succeed(call, index);
      } finally {
        step("all", -1);
        step(call.agentType, -1);
      }
    });
    const engine = await startEngine(agents, { limits: { concurrency: 5, agentConcurrency: 2 } });
    const tasks = [];
    for (let index = 0; index < 8; index++) tasks.push((await storeTask(database)).task);
    engine.wake();

    for (const task of tasks) expect((await finished(task.task_id, 20_000)).status).toBe("succeeded");
    expect(agents.calls).toHaveLength(40);
    // The limits bind (the peaks reach them) and hold.
    expect(peak.get("all")).toBe(5);
    for (const agentType of ["feature-dev", "infrastructure", "code-review", "cicd", "documentation"]) {
      expect(peak.get(agentType), agentType).toBe(2);
    }
  });

  it("retries a transient failure with the same key, and fails a 4xx at once, skipping its dependants", async () => {
    const succeed = ScriptedAgents.succeedingAfter(5);
    const agents = new ScriptedAgents((call, index) => {
      if (call.agentType === "infrastructure") {
        return answer(422, { title: "Invalid model output", status: 422, detail: "no Dockerfile" });
      }
      if (call.agentType === "feature-dev" && agents.callsTo("feature-dev").length <= 2) {
        return answer(503, { title: "Inference backend unavailable", status: 503 }, "0");
      }
      return succeed(call, index);
    });
    const engine = await startEngine(agents);
    const { task, idOf } = await storeTask(database);
    engine.wake();

    const done = await finished(task.task_id);

    expect(done.status).toBe("partial");
    expect(done.error).toBe(
      "1 of 5 subtasks failed, 2 skipped; infrastructure: infrastructure answered 422: Invalid model output: no Dockerfile",
    );
    const code = agents.callsTo("feature-dev");
    expect(code.map((call) => call.request.idempotency_key)).toEqual(Array(3).fill(`${idOf["feature-dev"]}:0`));
    expect(agents.callsTo("infrastructure").length).toBe(1);
    expect(agents.callsTo("cicd").length + agents.callsTo("documentation").length).toBe(0);
    const byId = new Map(done.subtasks.map((subtask) => [subtask.id, subtask]));
    expect(byId.get(idOf["feature-dev"])).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(byId.get(idOf.documentation)).toMatchObject({ status: "skipped" });
    expect(await metric("orchestrator_dispatch_retries_total", { agent: "feature-dev", reason: "status" })).toBe(2);
  });

  it("gives up after the last attempt and ends the task failed", async () => {
    const agents = new ScriptedAgents(() => answer(500, "boom"));
    const engine = await startEngine(agents, { limits: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } } });
    const { task } = await storeTask(database, "Fix the login bug");
    engine.wake();

    const done = await finished(task.task_id);

    expect(done.status).toBe("failed");
    expect(done.error).toBe(
      "1 of 2 subtasks failed, 1 skipped; feature-dev: gave up after 2 attempts: feature-dev answered 500: boom",
    );
    expect(agents.calls.length).toBe(2);
  });

  it("pauses an agent that cannot be reached instead of spinning, and resumes when it is back", async () => {
    const agents = new ScriptedAgents(() => refused());
    const limits = { retry: { maxAttempts: 1_000, baseDelayMs: 20, maxDelayMs: 100 } };
    const engine = await startEngine(agents, { limits });
    const tasks = [];
    for (let i = 0; i < 10; i++) tasks.push((await storeTask(database, "Fix the login bug")).task);
    engine.wake();

    await new Promise((resolve) => setTimeout(resolve, 600));
    // Without the pause this would be hundreds: every refused subtask is due again within 100 ms.
    expect(agents.calls.length).toBeLessThan(30);
    expect(agents.calls.length).toBeGreaterThanOrEqual(8);

    agents.script = ScriptedAgents.succeedingAfter(1);
    for (const task of tasks) expect((await finished(task.task_id)).status).toBe("succeeded");
    expect(await metric("orchestrator_dispatch_retries_total", { reason: "unreachable" })).toBeGreaterThan(0);
  });

  it("aborts the agent call of a cancelled task at once, and runs nothing more of it", async () => {
    const agents = new ScriptedAgents((call) => untilAborted(call.signal));
    const engine = await startEngine(agents);
    const { task } = await storeTask(database);
    engine.wake();
    await waitFor(() => (agents.calls.length === 2 ? true : undefined), { what: "stage 0 dispatched" });

    const outcome = await cancelTask(database, task.task_id);
    if (outcome.kind !== "cancelled") throw new Error(`not cancelled: ${outcome.kind}`);
    engine.taskCancelled(task.task_id, outcome.subtasks);

    expect(agents.calls.every((call) => call.signal.aborted)).toBe(true);
    await waitFor(() => (engine.inFlight === 0 ? true : undefined), { what: "dispatches to end" });
    expect((await read(task.task_id)).status).toBe("cancelled");
    expect(agents.calls.length).toBe(2);
  });

  it("notices at its next poll that another replica cancelled a task it runs, and aborts the call", async () => {
    const agents = new ScriptedAgents((call) => untilAborted(call.signal));
    const engine = await startEngine(agents);
    const { task } = await storeTask(database, "Fix the login bug");
    engine.wake();
    await waitFor(() => agents.calls[0], { what: "a dispatch" });

    await cancelTask(database, task.task_id);

    await waitFor(() => (agents.calls[0]?.signal.aborted ? true : undefined), { what: "the call to be aborted" });
    expect(engine.inFlight).toBe(0);
  });

  it("counts a dispatch that outlives the subtask timeout as transient", async () => {
    const slowOnce = ScriptedAgents.succeedingAfter(1);
    const agents = new ScriptedAgents((call, index) =>
      index === 0 ? untilAborted(call.signal) : slowOnce(call, index),
    );
    const engine = await startEngine(agents, { limits: { subtaskTimeoutMs: 100 } });
    const { task, idOf } = await storeTask(database, "Fix the login bug");
    engine.wake();

    const done = await finished(task.task_id);

    expect(done.status).toBe("succeeded");
    expect(done.subtasks.find((subtask) => subtask.id === idOf["feature-dev"])?.attempts).toBe(2);
    expect(await eventTrail(database, task.task_id)).toContain("subtask.retrying:feature-dev");
  });

  it("on stop, lets dispatches finish within the grace period and releases the rest to pending", async () => {
    const agents = new ScriptedAgents((call, index) =>
      call.agentType === "feature-dev" ? ScriptedAgents.succeedingAfter(100)(call, index) : untilAborted(call.signal),
    );
    const engine = await startEngine(agents);
    const { task, idOf } = await storeTask(database);
    engine.wake();
    await waitFor(() => (agents.calls.length === 2 ? true : undefined), { what: "stage 0 dispatched" });

    await engine.stop(400);

    const stopped = await read(task.task_id);
    const byId = new Map(stopped.subtasks.map((subtask) => [subtask.id, subtask]));
    expect(byId.get(idOf["feature-dev"])?.status).toBe("succeeded");
    expect(byId.get(idOf.infrastructure)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await eventTrail(database, task.task_id)).toContain("subtask.released:infrastructure");
    // Nothing claimed after the stop began: code-review became runnable but was not dispatched.
    expect(agents.callsTo("code-review")).toEqual([]);
  });

  it("takes over a subtask whose owner died once its lease expires, with the same idempotency key", async () => {
    const { task, idOf } = await storeTask(database, "Fix the login bug");
    await claimRunnableSubtasks(database.query, {
      owner: "dead:1/1.x",
      leaseMs: 300,
      quotas: ALL_AGENTS(),
      maxAttempts: 5,
      inFlight: [],
    });
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(1));
    const started = Date.now();
    await startEngine(agents);

    const done = await finished(task.task_id);

    expect(done.status).toBe("succeeded");
    const [first] = agents.callsTo("feature-dev");
    expect(first?.at).toBeGreaterThanOrEqual(started + 250);
    expect(first?.request.idempotency_key).toBe(`${idOf["feature-dev"]}:0`);
    expect(done.subtasks.find((subtask) => subtask.id === idOf["feature-dev"])?.attempts).toBe(2);
    expect(await metric("orchestrator_lease_recoveries_total", { kind: "expired" })).toBe(1);
  });

  it("releases at start what an earlier process of the same instance left running, without waiting for its lease", async () => {
    const { task } = await storeTask(database, "Fix the login bug");
    await claimRunnableSubtasks(database.query, {
      owner: "host:8001/1.earlier",
      leaseMs: 60_000,
      quotas: ALL_AGENTS(),
      maxAttempts: 5,
      inFlight: [],
    });
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(1));
    await startEngine(agents, { instance: "host:80" });
    await startEngine(agents, { instance: "host:8001" });

    expect((await finished(task.task_id, 5_000)).status).toBe("succeeded");
    expect(await metric("orchestrator_lease_recoveries_total", { kind: "restart" })).toBe(1);
  });
});
