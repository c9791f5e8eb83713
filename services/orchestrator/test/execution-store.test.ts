import type { Database } from "@devtools/db/client";
import { withTestDatabase } from "@devtools/db/testing";
import { testDatabaseKinds } from "@devtools/testkit/database";
import { beforeEach, describe, expect, it } from "vitest";
import { type ClaimedSubtask, claimRunnableSubtasks } from "../src/execution/claim.ts";
import { exhaustedLeases, lostLeases, predecessorLeases, renewLeases } from "../src/execution/lease.ts";
import { type Lease, settleSubtask } from "../src/execution/settle.ts";
import { cancelTask, retryTask } from "../src/execution/task-commands.ts";
import { findTask } from "../src/tasks/task-store.ts";
import { ALL_AGENTS, eventTrail, resultFor, storeTask } from "./support/execution.ts";

const OWNER = "host:1/1.a";
const OTHER = "host:2/2.b";

describe.each(await testDatabaseKinds())("execution store on %s", (kind) => {
  let database: Database;
  withTestDatabase(kind, (opened) => {
    database = opened;
  });
  // Claims take the oldest runnable subtasks of any task: each test starts from an empty queue.
  beforeEach(async () => {
    await database.query("delete from tasks", []);
  });

  const claim = (owner = OWNER, options: { leaseMs?: number; inFlight?: string[]; quotas?: object } = {}) =>
    claimRunnableSubtasks(database.query, {
      owner,
      leaseMs: options.leaseMs ?? 30_000,
      quotas: options.quotas ?? ALL_AGENTS(),
      maxAttempts: 3,
      inFlight: options.inFlight ?? [],
    });
  const leaseOf = (claimed: ClaimedSubtask, owner = OWNER): Lease => ({
    subtaskId: claimed.id,
    taskId: claimed.taskId,
    agentType: claimed.agentType,
    owner,
    generation: claimed.generation,
    attempts: claimed.attempts,
  });
  const succeed = (claimed: ClaimedSubtask, owner = OWNER) =>
    settleSubtask(database, leaseOf(claimed, owner), {
      kind: "succeeded",
      result: resultFor(claimed.id, claimed.agentType),
    });
  const byAgent = (claimed: ClaimedSubtask[]) => claimed.map((subtask) => subtask.agentType).sort();
  const stored = async (taskId: string) => {
    const task = await findTask(database.db, taskId);
    if (!task) throw new Error(`task ${taskId} is gone`);
    return { task, of: (id: string) => task.subtasks.find((subtask) => subtask.id === id) };
  };

  it("claims only subtasks whose dependencies succeeded, and starts the task with its events", async () => {
    const { task } = await storeTask(database);

    const first = await claim();

    expect(byAgent(first)).toEqual(["feature-dev", "infrastructure"]);
    expect(first.every((subtask) => subtask.attempts === 1 && subtask.generation === 0)).toBe(true);
    expect(first.every((subtask) => subtask.upstream.length === 0 && !subtask.recovered)).toBe(true);
    expect(await claim(OTHER)).toEqual([]);
    const { task: running, of } = await stored(task.task_id);
    expect(running.status).toBe("running");
    expect(running.started_at).not.toBeNull();
    expect(of(first[0]?.id ?? "")).toMatchObject({ status: "running", attempts: 1 });
    expect(await eventTrail(database, task.task_id)).toEqual([
      "task.running",
      "subtask.running:feature-dev",
      "subtask.running:infrastructure",
    ]);
  });

  it("sends the results of the dependencies upstream once they succeed", async () => {
    const { task } = await storeTask(database);
    const [code, infra] = (await claim()).sort((a, b) => a.agentType.localeCompare(b.agentType));
    if (!code || !infra) throw new Error("stage 0 not claimed");

    expect((await succeed(code)).recorded).toBe(true);
    const review = await claim();

    expect(byAgent(review)).toEqual(["code-review"]);
    expect(review[0]?.upstream).toEqual([
      {
        subtask_id: code.id,
        agent_type: "feature-dev",
        summary: "feature-dev did its part",
        artifacts: [{ path: "feature-dev/out.txt", kind: "source", content: "x" }],
      },
    ]);
    await succeed(infra);
    expect(byAgent(await claim())).toEqual(["cicd"]);
    expect((await stored(task.task_id)).of(code.id)).toMatchObject({
      status: "succeeded",
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      result: { summary: "feature-dev did its part" },
    });
  });

  it("keeps each subtask's count of dependencies not yet succeeded in step, through a retry", async () => {
    const { task, idOf } = await storeTask(database);
    const waiting = async () =>
      Object.fromEntries(
        (
          await database.query<{ agent_type: string; waiting_on: number }>(
            "select agent_type, waiting_on from subtasks where task_id = $1",
            [task.task_id],
          )
        ).map((row) => [row.agent_type, row.waiting_on]),
      );
    expect(await waiting()).toEqual({
      "feature-dev": 0,
      infrastructure: 0,
      "code-review": 1,
      cicd: 2,
      documentation: 4,
    });
    const stage0 = await claim();
    for (const subtask of stage0) {
      if (subtask.agentType === "feature-dev") await succeed(subtask);
      else await settleSubtask(database, leaseOf(subtask), { kind: "failed", error: "boom" });
    }
    expect(await waiting()).toMatchObject({ "code-review": 0, cicd: 1, documentation: 3 });

    const [review] = await claim();
    if (!review) throw new Error("code-review not claimed");
    await succeed(review);
    await retryTask(database, task.task_id);

    expect(await waiting()).toEqual({
      "feature-dev": 0,
      infrastructure: 0,
      "code-review": 0,
      cicd: 1,
      documentation: 2,
    });
    expect((await claim()).map((subtask) => subtask.id)).toEqual([idOf.infrastructure]);
  });

  it("records an outcome only for the lease that holds the subtask", async () => {
    await storeTask(database);
    const [first] = await claim();
    if (!first) throw new Error("nothing claimed");

    expect((await succeed(first, OTHER)).recorded).toBe(false);
    const stale = { ...leaseOf(first), attempts: first.attempts + 1 };
    expect((await settleSubtask(database, stale, { kind: "failed", error: "x" })).recorded).toBe(false);
    expect((await succeed(first)).recorded).toBe(true);
    expect((await succeed(first)).recorded).toBe(false);
  });

  it("claims up to each agent's quota, and two claimers never take the same subtask", async () => {
    for (let i = 0; i < 6; i++) await storeTask(database);

    const limited = await claim(OWNER, { quotas: { "feature-dev": 2, infrastructure: 1 } });
    expect(byAgent(limited)).toEqual(["feature-dev", "feature-dev", "infrastructure"]);
    const [a, b] = await Promise.all([claim(OWNER), claim(OTHER)]);
    const ids = [...limited, ...(a ?? []), ...(b ?? [])].map((subtask) => subtask.id);
    expect(ids.length).toBe(12);
    expect(new Set(ids).size).toBe(12);
  });

  it("ends the task succeeded when every subtask succeeded, with the whole story in its events", async () => {
    const { task } = await storeTask(database);
    for (let stage = 0; stage < 3; stage++) for (const subtask of await claim()) await succeed(subtask);

    const { task: done } = await stored(task.task_id);
    expect(done).toMatchObject({ status: "succeeded", error: null });
    expect(done.finished_at).not.toBeNull();
    expect(done.usage).toEqual({ prompt_tokens: 500, completion_tokens: 250, total_tokens: 750 });
    const trail = await eventTrail(database, task.task_id);
    expect(trail.filter((type) => type.startsWith("subtask.succeeded")).length).toBe(5);
    expect(trail.at(-1)).toBe("task.succeeded");
  });

  it("skips the dependants of a failed subtask, transitively, and ends the task partial saying why", async () => {
    const { task, idOf } = await storeTask(database);
    const stage0 = await claim();
    const infra = stage0.find((subtask) => subtask.agentType === "infrastructure");
    const code = stage0.find((subtask) => subtask.agentType === "feature-dev");
    if (!infra || !code) throw new Error("stage 0 not claimed");

    const failed = await settleSubtask(database, leaseOf(infra), {
      kind: "failed",
      error: "infrastructure answered 422",
    });
    expect(failed.skipped.sort()).toEqual(["cicd", "documentation"]);
    expect(failed.taskStatus).toBeUndefined();
    await succeed(code);
    const [review] = await claim();
    if (!review) throw new Error("code-review not claimed");
    expect(review.agentType).toBe("code-review");
    expect((await succeed(review)).taskStatus).toBe("partial");

    const { task: done, of } = await stored(task.task_id);
    expect(done.status).toBe("partial");
    expect(done.error).toBe("1 of 5 subtasks failed, 2 skipped; infrastructure: infrastructure answered 422");
    expect(of(idOf.documentation)).toMatchObject({ status: "skipped" });
    expect(of(idOf.cicd)?.error).toMatch(/depends on the infrastructure subtask .* which failed/);
    expect(await eventTrail(database, task.task_id)).toEqual(
      expect.arrayContaining([
        "subtask.failed:infrastructure",
        "subtask.skipped:cicd",
        "subtask.skipped:documentation",
      ]),
    );
  });

  it("ends the task failed when no subtask succeeded", async () => {
    const { task } = await storeTask(database, "Fix the login bug");
    const [code] = await claim();
    if (!code) throw new Error("nothing claimed");

    const settled = await settleSubtask(database, leaseOf(code), { kind: "failed", error: "gave up" });

    expect(settled).toMatchObject({ taskStatus: "failed", skipped: ["code-review"] });
    expect((await stored(task.task_id)).task.error).toBe("1 of 2 subtasks failed, 1 skipped; feature-dev: gave up");
  });

  it("holds a subtask that failed transiently until its next attempt is due", async () => {
    const { task } = await storeTask(database, "Fix the login bug");
    const [code] = await claim();
    if (!code) throw new Error("nothing claimed");

    await settleSubtask(database, leaseOf(code), { kind: "retry", delayMs: 60_000, error: "503" });
    expect(await claim()).toEqual([]);
    const { of } = await stored(task.task_id);
    expect(of(code.id)).toMatchObject({ status: "pending", error: "503", attempts: 1 });
    expect(Date.parse(of(code.id)?.next_attempt_at ?? "") - Date.now()).toBeGreaterThan(50_000);

    await database.query("update subtasks set next_attempt_at = now() - interval '1 second' where id = $1", [code.id]);
    const [again] = await claim();
    expect(again).toMatchObject({ id: code.id, attempts: 2, generation: 0 });
    expect(await eventTrail(database, task.task_id)).toContain("subtask.retrying:feature-dev");
  });

  it("takes over an expired lease (not its own in-flight one), and the old owner can no longer record", async () => {
    await storeTask(database, "Fix the login bug");
    const [code] = await claim(OWNER, { leaseMs: -1_000 });
    if (!code) throw new Error("nothing claimed");

    expect(await claim(OWNER, { inFlight: [code.id] })).toEqual([]);
    const [taken] = await claim(OTHER);

    expect(taken).toMatchObject({ id: code.id, attempts: 2, recovered: true, previousOwner: OWNER });
    expect((await succeed(code)).recorded).toBe(false);
    if (!taken) throw new Error("not taken over");
    expect((await succeed(taken, OTHER)).recorded).toBe(true);
  });

  it("leaves an expired lease that used its attempts to the sweep, which fails it", async () => {
    const { task } = await storeTask(database, "Fix the login bug");
    await claim(OWNER);
    await database.query(
      "update subtasks set attempts = 3, lease_expires_at = now() - interval '1 second' where status = 'running'",
      [],
    );

    expect(await claim(OTHER)).toEqual([]);
    const [exhausted] = await exhaustedLeases(database.query, 3);
    if (!exhausted) throw new Error("nothing exhausted");
    expect(exhausted).toMatchObject({ owner: OWNER, attempts: 3 });
    const settled = await settleSubtask(
      database,
      exhausted,
      { kind: "failed", error: "lease expired" },
      { requireExpired: true },
    );
    expect(settled.taskStatus).toBe("failed");
    expect((await stored(task.task_id)).task.status).toBe("failed");
  });

  it("renews only leases still held, and reports the ones lost", async () => {
    const { task } = await storeTask(database);
    const claimed = await claim();
    const leases = claimed.map((subtask) => leaseOf(subtask));

    expect(await renewLeases(database.query, OWNER, leases, 30_000)).toEqual(new Set(claimed.map((s) => s.id)));
    expect(await renewLeases(database.query, OTHER, leases, 30_000)).toEqual(new Set());
    expect(await lostLeases(database.query, OWNER, leases)).toEqual(new Set());
    await cancelTask(database, task.task_id);
    expect(await lostLeases(database.query, OWNER, leases)).toEqual(new Set(claimed.map((s) => s.id)));
  });

  it("releases a lease back to pending without counting the attempt, and finds a restarted instance's leases", async () => {
    const { task } = await storeTask(database, "Fix the login bug");
    const [code] = await claim("host:8001/100.x");
    if (!code) throw new Error("nothing claimed");

    expect(await predecessorLeases(database.query, "host:80/", "host:80/1.y")).toEqual([]);
    const [previous] = await predecessorLeases(database.query, "host:8001/", "host:8001/200.z");
    if (!previous) throw new Error("no predecessor lease");
    expect(previous).toMatchObject({ subtaskId: code.id, owner: "host:8001/100.x" });
    await settleSubtask(database, previous, { kind: "released", reason: "restart" });

    expect((await stored(task.task_id)).of(code.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await claim()).toMatchObject([{ id: code.id, attempts: 1 }]);
    expect(await eventTrail(database, task.task_id)).toContain("subtask.released:feature-dev");
  });

  it("cancels pending and running subtasks and ends the task; a finished or unknown task cannot be cancelled", async () => {
    const { task } = await storeTask(database);
    await claim();

    const outcome = await cancelTask(database, task.task_id);

    expect(outcome.kind).toBe("cancelled");
    if (outcome.kind !== "cancelled") return;
    expect(outcome.subtasks.filter((subtask) => subtask.wasRunning).length).toBe(2);
    expect(outcome.subtasks.length).toBe(5);
    const { task: cancelled } = await stored(task.task_id);
    expect(cancelled).toMatchObject({ status: "cancelled", error: "cancelled by request" });
    expect(cancelled.cancel_requested_at).not.toBeNull();
    expect(cancelled.subtasks.every((subtask) => subtask.status === "cancelled")).toBe(true);
    expect((await eventTrail(database, task.task_id)).at(-1)).toBe("task.cancelled");
    expect(await claim()).toEqual([]);
    expect(await cancelTask(database, task.task_id)).toEqual({ kind: "finished" });
    expect(await cancelTask(database, "00000000-0000-4000-8000-000000000000")).toEqual({ kind: "not_found" });
  });

  it("retries only what failed, was skipped or cancelled, in a new generation; succeeded results stay", async () => {
    const { task, idOf } = await storeTask(database);
    const stage0 = await claim();
    for (const subtask of stage0) {
      if (subtask.agentType === "feature-dev") await succeed(subtask);
      else await settleSubtask(database, leaseOf(subtask), { kind: "failed", error: "boom" });
    }
    const [review] = await claim();
    if (!review) throw new Error("code-review not claimed");
    await succeed(review);
    expect((await stored(task.task_id)).task.status).toBe("partial");

    const outcome = await retryTask(database, task.task_id);

    expect(outcome).toEqual({ kind: "retried", subtaskIds: [idOf.infrastructure, idOf.cicd, idOf.documentation] });
    const { task: again, of } = await stored(task.task_id);
    expect(again).toMatchObject({ status: "running", error: null, finished_at: null });
    expect(of(idOf.infrastructure)).toMatchObject({ status: "pending", generation: 1, attempts: 0, error: null });
    expect(of(idOf["feature-dev"])).toMatchObject({ status: "succeeded", generation: 0 });
    expect(byAgent(await claim())).toEqual(["infrastructure"]);
    expect((await eventTrail(database, task.task_id)).filter((type) => type === "task.retrying")).toHaveLength(1);
    expect(await retryTask(database, "00000000-0000-4000-8000-000000000000")).toEqual({ kind: "not_found" });
  });

  it("has nothing to retry in a task that is running without failures", async () => {
    const { task } = await storeTask(database);
    await claim();
    expect(await retryTask(database, task.task_id)).toEqual({ kind: "nothing" });
  });
});
