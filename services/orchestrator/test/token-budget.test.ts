import type { Task } from "@devtools/contracts/task";
import type { Database } from "@devtools/db/client";
import { withTestDatabase } from "@devtools/db/testing";
import { createLogger } from "@devtools/service-kit/logger";
import { testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { Registry } from "prom-client";
import { beforeEach, describe, expect, it } from "vitest";
import { type ClaimedSubtask, claimRunnableSubtasks } from "../src/execution/claim.ts";
import { ExecutionEngine } from "../src/execution/engine.ts";
import { TaskEventNotifier } from "../src/execution/events.ts";
import { settleSubtask } from "../src/execution/settle.ts";
import { retryTask } from "../src/execution/task-commands.ts";
import { findTask } from "../src/tasks/task-store.ts";
import {
  ALL_AGENTS,
  eventTrail,
  FIVE_SUBTASKS,
  resultFor,
  ScriptedAgents,
  storeTask,
  testLimits,
} from "./support/execution.ts";

const OWNER = "host:1/1.a";
const logger = createLogger("orchestrator", "silent");

describe.each(await testDatabaseKinds())("token budgets on %s", (kind) => {
  let database: Database;
  withTestDatabase(kind, (opened) => {
    database = opened;
  });
  beforeEach(async () => {
    await database.query("delete from tasks", []);
  });

  const claim = () =>
    claimRunnableSubtasks(database.query, {
      owner: OWNER,
      leaseMs: 30_000,
      quotas: ALL_AGENTS(),
      maxAttempts: 3,
      inFlight: [],
    });
  // Each success uses 150 tokens (100 prompt, 50 completion).
  const succeed = (claimed: ClaimedSubtask) =>
    settleSubtask(
      database,
      {
        subtaskId: claimed.id,
        taskId: claimed.taskId,
        agentType: claimed.agentType,
        owner: OWNER,
        generation: claimed.generation,
        attempts: claimed.attempts,
      },
      { kind: "succeeded", result: resultFor(claimed.id, claimed.agentType) },
    );
  const stored = async (taskId: string): Promise<Task> => {
    const task = await findTask(database.db, taskId);
    if (!task) throw new Error(`task ${taskId} is gone`);
    return task;
  };
  const stageZero = async () => {
    const claimed = (await claim()).sort((a, b) => a.agentType.localeCompare(b.agentType));
    const [code, infra] = claimed;
    if (claimed.length !== 2 || !code || !infra) throw new Error("stage 0 not claimed");
    return { code, infra };
  };

  it("skips the pending subtasks once the tokens used reach max_tokens, and ends the task partial saying why", async () => {
    const { task } = await storeTask(database, FIVE_SUBTASKS, new Date(), { maxTokens: 300 });
    const { code, infra } = await stageZero();

    expect((await succeed(code)).taskStatus).toBeUndefined();
    const settled = await succeed(infra);

    expect(settled.skipped.sort()).toEqual(["cicd", "code-review", "documentation"]);
    expect(settled.taskStatus).toBe("partial");
    const reason = "token budget of 300 exhausted (300 used)";
    const ended = await stored(task.task_id);
    expect(ended).toMatchObject({ status: "partial", error: reason, max_tokens: 300 });
    expect(ended.usage.total_tokens).toBe(300);
    for (const subtask of ended.subtasks.filter((s) => s.status !== "succeeded")) {
      expect(subtask).toMatchObject({ status: "skipped", error: reason });
    }
    expect(await claim()).toEqual([]);
    const trail = await eventTrail(database, task.task_id);
    expect(trail.slice(-4)).toEqual([
      "subtask.skipped:code-review",
      "subtask.skipped:cicd",
      "subtask.skipped:documentation",
      "task.partial",
    ]);
    const [final] = await database.query<{ error: string }>(
      "select data->>'error' as error from task_events where task_id = $1 and type = 'task.partial'",
      [task.task_id],
    );
    expect(final?.error).toBe(reason);
  });

  it("starts nothing more once the budget is spent, lets running subtasks finish, then ends", async () => {
    const { task } = await storeTask(database, FIVE_SUBTASKS, new Date(), { maxTokens: 100 });
    const { code, infra } = await stageZero();

    const first = await succeed(code);

    expect(first.skipped.sort()).toEqual(["cicd", "code-review", "documentation"]);
    expect(first.taskStatus).toBeUndefined();
    expect(await claim()).toEqual([]);
    expect((await stored(task.task_id)).status).toBe("running");
    expect((await succeed(infra)).taskStatus).toBe("partial");
    const ended = await stored(task.task_id);
    expect(ended.error).toBe("token budget of 100 exhausted (150 used)");
    expect(ended.usage.total_tokens).toBe(300);
  });

  it("does not limit a task under its budget, or one without", async () => {
    const roomy = await storeTask(database, "Fix the login bug", new Date(), { maxTokens: 151 });
    const unlimited = await storeTask(database, "Fix the login bug");
    for (let batch = await claim(); batch.length > 0; batch = await claim()) {
      for (const claimed of batch) expect((await succeed(claimed)).skipped).toEqual([]);
    }

    expect((await stored(roomy.task.task_id)).status).toBe("succeeded");
    expect((await stored(unlimited.task.task_id)).status).toBe("succeeded");
  });

  it("skips the retried subtasks again when a retry finds the budget spent", async () => {
    const { task } = await storeTask(database, FIVE_SUBTASKS, new Date(), { maxTokens: 150 });
    const { code, infra } = await stageZero();
    await succeed(code);
    await succeed(infra);
    expect((await stored(task.task_id)).status).toBe("partial");

    expect((await retryTask(database, task.task_id)).kind).toBe("retried");

    const ended = await stored(task.task_id);
    expect(ended).toMatchObject({ status: "partial", error: "token budget of 150 exhausted (300 used)" });
    expect(ended.subtasks.filter((s) => s.status === "skipped")).toHaveLength(3);
    expect(await claim()).toEqual([]);
  });

  it("the engine dispatches nothing past the budget", async () => {
    const agents = new ScriptedAgents(ScriptedAgents.succeedingAfter(5));
    const engine = new ExecutionEngine({
      database,
      dispatcher: agents,
      notifier: new TaskEventNotifier(),
      logger,
      registry: new Registry(),
      instance: "budget:1",
      limits: testLimits({ concurrency: 8, pollMs: 50 }),
    });
    await engine.start();
    try {
      const { task } = await storeTask(database, FIVE_SUBTASKS, new Date(), { maxTokens: 150 });
      engine.wake();

      const ended = await waitFor(
        async () => {
          const current = await stored(task.task_id);
          return current.finished_at ? current : undefined;
        },
        { what: "the budgeted task to end" },
      );

      expect(ended).toMatchObject({ status: "partial", error: "token budget of 150 exhausted (150 used)" });
      expect(agents.calls.map((call) => call.agentType).sort()).toEqual(["feature-dev", "infrastructure"]);
    } finally {
      await engine.stop(0);
    }
  });
});
