import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import type { Task } from "@devtools/contracts/task";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
  testDatabaseKinds,
} from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort, type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIVE_SUBTASKS, THREE_STAGES } from "./support/execution.ts";
import { startFakeAgent } from "./support/fake-agent.ts";
import { modelWork as countModelWork, modelCallsOf } from "./support/model-work.ts";
import {
  agentUrls,
  between,
  finished,
  metricSum,
  orchestrate,
  readTask,
  startAgents,
  startOrchestrator,
} from "./support/processes.ts";
import { readTaskEvents } from "./support/sse.ts";

// The five agents and the orchestrator as real processes over real HTTP; the inference simulator
// in-process, with a fixed latency so that timings mean something.

let simulator: RunningSimulator;
let agents: Record<AgentType, ServiceProcess>;
let realAgents: Record<string, string>;

beforeAll(async () => {
  simulator = await startSimulator({ ttftMs: 200, tokensPerSecond: 20_000 });
  agents = await startAgents(simulator.url);
  realAgents = agentUrls(Object.fromEntries(AGENT_TYPES.map((agentType) => [agentType, agents[agentType].url])));
});
afterAll(async () => {
  await Promise.all(Object.values(agents ?? {}).map((agent) => agent.stop()));
  await simulator?.close();
});

// Model work at the one simulator and the five agents.
const modelWork = () => countModelWork([simulator], Object.values(agents));

describe.each(await testDatabaseKinds())("plans run across processes on %s", (kind) => {
  let database: TestDatabase;
  let orchestrator: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orchestrator = await startOrchestrator(database, realAgents);
  });
  afterAll(async () => {
    await orchestrator?.stop();
    await database?.drop();
  });

  it("runs a five-subtask plan on the agents, independent subtasks overlapping and each stage starting at once", async () => {
    const created = await orchestrate(orchestrator, FIVE_SUBTASKS);
    expect(created.status).toBe("pending");

    const task = await finished(orchestrator, created.task_id);

    expect(task.status).toBe("succeeded");
    const of = Object.fromEntries(task.subtasks.map((subtask) => [subtask.agent_type, subtask])) as Record<
      AgentType,
      Task["subtasks"][number]
    >;
    for (const subtask of task.subtasks) {
      expect(subtask).toMatchObject({ status: "succeeded", attempts: 1, error: null });
      expect(subtask.result?.agent_type).toBe(subtask.agent_type);
      expect(subtask.usage?.completion_tokens).toBeGreaterThan(0);
    }
    const code = of["feature-dev"];
    const infra = of.infrastructure;
    // Stage 0 overlaps: each started before the other finished.
    expect(between(code.started_at, infra.finished_at)).toBeGreaterThan(0);
    expect(between(infra.started_at, code.finished_at)).toBeGreaterThan(0);
    expect(between(of["code-review"].started_at, of.cicd.finished_at)).toBeGreaterThan(0);
    expect(between(code.finished_at, of["code-review"].started_at)).toBeGreaterThanOrEqual(0);
    // The wall time exceeds the critical path by the scheduling overhead only.
    const duration = (subtask: Task["subtasks"][number]) => between(subtask.started_at, subtask.finished_at);
    const path = (...chain: AgentType[]) => chain.reduce((sum, agentType) => sum + duration(of[agentType]), 0);
    const critical = Math.max(
      path("feature-dev", "code-review", "documentation"),
      path("feature-dev", "cicd", "documentation"),
      path("infrastructure", "cicd", "documentation"),
    );
    const overhead = between(task.started_at, task.finished_at) - critical;
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(250);
    expect(task.usage.total_tokens).toBe(task.subtasks.reduce((sum, s) => sum + (s.usage?.total_tokens ?? 0), 0));
  });

  it("streams the task's events and resumes from Last-Event-ID after a reconnect", async () => {
    const created = await orchestrate(orchestrator, FIVE_SUBTASKS);
    const url = `${orchestrator.url}/tasks/${created.task_id}/events`;
    const dropped = new AbortController();
    const first = await readTaskEvents(await fetch(url, { signal: dropped.signal }), (events) => events.length >= 3);
    dropped.abort();

    const last = first.events.at(-1)?.id;
    const rest = await readTaskEvents(await fetch(url, { headers: { "last-event-id": String(last) } }));
    const whole = await readTaskEvents(await fetch(url));

    expect(first.ended).toBe(false);
    expect(rest.ended).toBe(true);
    expect([...first.events, ...rest.events]).toEqual(whole.events);
    expect(whole.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["task.running", "subtask.running", "subtask.succeeded", "task.succeeded"]),
    );
    expect(whole.events.at(-1)?.type).toBe("task.succeeded");
  });

  it("loses and repeats nothing when killed mid-run: a new process finishes every task, each model call made once", async () => {
    const dataDir = kind === "pglite" ? await mkdtemp(join(tmpdir(), "devtools-crash-")) : undefined;
    const crashDatabase = await createTestDatabase(kind, dataDir);
    // PGlite restarts on the same port (the same instance: its leases are released at start);
    // PostgreSQL on another (the leases of the dead process expire after LEASE_MS).
    const port = String(await freePort());
    const first = await startOrchestrator(crashDatabase, { ...realAgents, PORT: port });
    const before = await modelWork();
    try {
      const created = await Promise.all(Array.from({ length: 20 }, () => orchestrate(first, THREE_STAGES)));
      await waitFor(
        async () => {
          const subtasks = (await Promise.all(created.map((task) => readTask(first, task.task_id)))).flatMap(
            (task) => task.subtasks,
          );
          const count = (status: string) => subtasks.filter((subtask) => subtask.status === status).length;
          return count("succeeded") >= 10 && count("running") >= 4 ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 20, what: "some subtasks done and some running" },
      );

      await first.kill();
      const second = await startOrchestrator(crashDatabase, {
        ...realAgents,
        ...(kind === "pglite" ? { PORT: port } : {}),
      });
      try {
        const tasks = await Promise.all(created.map((task) => finished(second, task.task_id, 60_000)));

        expect(tasks.map((task) => task.status)).toEqual(Array(20).fill("succeeded"));
        const after = await modelWork();
        // Exactly once: no subtask's result was computed twice (a re-dispatch after the crash
        // replays a result the agent stored, under the same idempotency key).
        expect(after.executions - before.executions).toBe(60);
        // A model call the killed process was waiting for is aborted by its agent and run again
        // afterwards; one that completes at the very moment of the kill is such a lost call too.
        const lost = after.finished - before.finished - modelCallsOf(tasks);
        expect(lost).toBeGreaterThanOrEqual(0);
        expect(lost).toBeLessThanOrEqual(after.cancelled - before.cancelled);
        const recovered = await metricSum(second, "orchestrator_lease_recoveries_total");
        expect(recovered).toBeGreaterThan(0);
      } finally {
        await second.stop();
      }
    } finally {
      await first.kill();
      await crashDatabase.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(await postgresAvailable())("two orchestrator replicas on one PostgreSQL", () => {
  let database: TestDatabase;
  let replicas: ServiceProcess[];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    replicas = await Promise.all([startOrchestrator(database, realAgents), startOrchestrator(database, realAgents)]);
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await database?.drop();
  });

  it("share the work and run every subtask once", async () => {
    const before = await modelWork();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => orchestrate(replicas[i % 2] as ServiceProcess, FIVE_SUBTASKS)),
    );

    const tasks = await Promise.all(created.map((task) => finished(replicas[0] as ServiceProcess, task.task_id)));

    expect(tasks.every((task) => task.status === "succeeded")).toBe(true);
    expect(tasks.flatMap((task) => task.subtasks).every((subtask) => subtask.attempts === 1)).toBe(true);
    const after = await modelWork();
    expect(after.executions - before.executions).toBe(100);
    expect(after.finished - before.finished).toBe(modelCallsOf(tasks));
    for (const replica of replicas) {
      expect(await metricSum(replica, "orchestrator_dispatch_attempts_total")).toBeGreaterThan(0);
    }
  });

  it("abort a model call when the task is cancelled through the other replica", async () => {
    const slow = await startSimulator({ ttftMs: 60_000 });
    const slowAgent = await startService("feature-dev", { INFERENCE_BASE_URL: slow.url });
    // A database of their own: the replicas above would otherwise race `a` for the task, on the fast agent.
    const own = await createTestDatabase("postgres");
    const [a, b] = await Promise.all([
      startOrchestrator(own, { ...realAgents, FEATURE_DEV_URL: slowAgent.url }),
      startOrchestrator(own, { ...realAgents, EXECUTION_CONCURRENCY: "0" }),
    ]);
    try {
      const created = await orchestrate(a as ServiceProcess, "Fix the login bug");
      await waitFor(() => (slow.stats().running === 1 ? true : undefined), { what: "the model call to start" });

      const response = await fetch(`${(b as ServiceProcess).url}/tasks/${created.task_id}/cancel`, { method: "POST" });

      expect(response.status).toBe(200);
      await waitFor(() => (slow.stats().aborted === 1 && slow.stats().running === 0 ? true : undefined), {
        timeoutMs: 5_000,
        what: "the model call to be aborted",
      });
      expect((await readTask(a as ServiceProcess, created.task_id)).status).toBe("cancelled");
    } finally {
      await Promise.all([a?.stop(), b?.stop(), slowAgent.stop()]);
      await slow.close();
      await own.drop();
    }
  });
});

describe("failures, cancellation and retry across processes", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });

  it("cancel aborts the agent's in-flight model call", async () => {
    const slow = await startSimulator({ ttftMs: 60_000 });
    const slowAgent = await startService("feature-dev", { INFERENCE_BASE_URL: slow.url });
    const orchestrator = await startOrchestrator(database, { ...realAgents, FEATURE_DEV_URL: slowAgent.url });
    try {
      const created = await orchestrate(orchestrator, "Fix the login bug");
      await waitFor(() => (slow.stats().running === 1 ? true : undefined), { what: "the model call to start" });

      const response = await fetch(`${orchestrator.url}/tasks/${created.task_id}/cancel`, { method: "POST" });

      expect(response.status).toBe(200);
      await waitFor(() => (slow.stats().aborted === 1 && slow.stats().running === 0 ? true : undefined), {
        timeoutMs: 5_000,
        what: "the model call to be aborted",
      });
      const task = await readTask(orchestrator, created.task_id);
      expect(task.status).toBe("cancelled");
      expect(task.subtasks.map((subtask) => subtask.status)).toEqual(["cancelled", "cancelled"]);
    } finally {
      await orchestrator.stop();
      await slowAgent.stop();
      await slow.close();
    }
  });

  it("on SIGTERM releases what it runs, so that the next process dispatches it at once", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "devtools-sigterm-"));
    const restartable = await createTestDatabase("pglite", dataDir);
    const slow = await startSimulator({ ttftMs: 60_000 });
    const slowAgent = await startService("feature-dev", { INFERENCE_BASE_URL: slow.url });
    // Leases far longer than the test: only the release can let the second process take the subtask.
    const env = { ...realAgents, FEATURE_DEV_URL: slowAgent.url, LEASE_MS: "120000", SHUTDOWN_TIMEOUT_MS: "300" };
    const first = await startOrchestrator(restartable, env);
    let second: ServiceProcess | undefined;
    try {
      const created = await orchestrate(first, "Fix the login bug");
      await waitFor(() => (slow.stats().running === 1 ? true : undefined), { what: "the model call to start" });

      expect(await first.stop()).toBe(0);
      await waitFor(() => (slow.stats().running === 0 ? true : undefined), { what: "the model call to end" });
      second = await startOrchestrator(restartable, env);

      await waitFor(() => (slow.stats().running === 1 ? true : undefined), {
        timeoutMs: 10_000,
        what: "the next process to dispatch the subtask again",
      });
      const task = await readTask(second, created.task_id);
      expect(task.subtasks[0]).toMatchObject({ status: "running", attempts: 1 });
      const { events } = await readTaskEvents(
        await fetch(`${second.url}/tasks/${created.task_id}/events`),
        (received) => received.filter((event) => event.type === "subtask.running").length >= 2,
      );
      expect(events.map((event) => event.type)).toEqual([
        "task.running",
        "subtask.running",
        "subtask.released",
        "subtask.running",
      ]);
    } finally {
      await second?.stop();
      await first.stop();
      await slowAgent.stop();
      await slow.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("finishes the subtasks of an agent that was down once it is started, after retries", async () => {
    const port = await freePort();
    const orchestrator = await startOrchestrator(database, {
      ...realAgents,
      CICD_URL: `http://127.0.0.1:${port}`,
      SUBTASK_MAX_ATTEMPTS: "50",
      SUBTASK_RETRY_MAX_MS: "300",
    });
    let cicd: ServiceProcess | undefined;
    try {
      const created = await orchestrate(orchestrator, THREE_STAGES);
      await waitFor(
        async () => {
          const task = await readTask(orchestrator, created.task_id);
          return (task.subtasks.find((subtask) => subtask.agent_type === "cicd")?.attempts ?? 0) >= 3
            ? true
            : undefined;
        },
        { timeoutMs: 15_000, what: "cicd to be tried three times" },
      );

      cicd = await startService("cicd", { INFERENCE_BASE_URL: simulator.url, PORT: String(port) });
      const task = await finished(orchestrator, created.task_id);

      expect(task.status).toBe("succeeded");
      const subtask = task.subtasks.find((candidate) => candidate.agent_type === "cicd");
      expect(subtask?.attempts).toBeGreaterThanOrEqual(3);
      expect(
        await metricSum(orchestrator, "orchestrator_dispatch_retries_total", { reason: "unreachable" }),
      ).toBeGreaterThan(0);
    } finally {
      await orchestrator.stop();
      await cicd?.stop();
    }
  });

  it("fails what keeps failing with the agent's reason, skips its dependants, and a retry re-runs only that", async () => {
    const unavailable = await startFakeAgent({
      kind: "problem",
      status: 503,
      title: "Inference backend unavailable",
      detail: "the model could not be reached",
      retryAfter: "5",
    });
    const invalid = await startFakeAgent({
      kind: "problem",
      status: 422,
      title: "Invalid model output",
      detail: "the Dockerfile does not parse",
    });
    const orchestrator = await startOrchestrator(database, {
      ...realAgents,
      FEATURE_DEV_URL: unavailable.url,
      INFRASTRUCTURE_URL: invalid.url,
      SUBTASK_MAX_ATTEMPTS: "2",
    });
    try {
      // Both of stage 0 fail: nothing can succeed.
      const doomed = await finished(orchestrator, (await orchestrate(orchestrator, FIVE_SUBTASKS)).task_id);
      expect(doomed.status).toBe("failed");
      const status = Object.fromEntries(doomed.subtasks.map((subtask) => [subtask.agent_type, subtask]));
      expect(status["feature-dev"]).toMatchObject({ status: "failed", attempts: 2 });
      expect(status["feature-dev"]?.error).toBe(
        "gave up after 2 attempts: feature-dev answered 503: Inference backend unavailable: the model could not be reached",
      );
      expect(status.infrastructure).toMatchObject({
        status: "failed",
        attempts: 1,
        error: "infrastructure answered 422: Invalid model output: the Dockerfile does not parse",
      });
      for (const agentType of ["code-review", "cicd", "documentation"]) {
        expect(status[agentType]?.status).toBe("skipped");
      }
      expect(doomed.error).toMatch(/^2 of 5 subtasks failed, 3 skipped; /);
      expect(new Set(unavailable.received.map((request) => request.idempotency_key)).size).toBe(1);

      // The code agent is back; infrastructure still fails: partial.
      unavailable.set({ kind: "forward", url: agents["feature-dev"].url });
      const partial = await finished(orchestrator, (await orchestrate(orchestrator, FIVE_SUBTASKS)).task_id);
      expect(partial.status).toBe("partial");
      expect(partial.error).toMatch(/^1 of 5 subtasks failed, 2 skipped; infrastructure: /);

      invalid.set({ kind: "forward", url: agents.infrastructure.url });
      const before = await modelWork();
      const response = await fetch(`${orchestrator.url}/tasks/${partial.task_id}/retry`, { method: "POST" });
      expect(response.status).toBe(200);
      const retried = await finished(orchestrator, partial.task_id);

      expect(retried.status).toBe("succeeded");
      const after = await modelWork();
      // Infrastructure, cicd and documentation ran again; feature-dev and code-review were not sent.
      expect(after.executions - before.executions).toBe(3);
      const previous = new Map(partial.subtasks.map((subtask) => [subtask.id, subtask]));
      for (const subtask of retried.subtasks) {
        const rerun = ["infrastructure", "cicd", "documentation"].includes(subtask.agent_type);
        expect(subtask.generation).toBe(rerun ? 1 : 0);
        if (!rerun) expect(subtask.result).toEqual(previous.get(subtask.id)?.result);
      }
      expect(invalid.received.at(-1)?.idempotency_key).toMatch(/:1$/);
    } finally {
      await orchestrator.stop();
      await unavailable.close();
      await invalid.close();
    }
  });

  it("backs off instead of spinning when no agent can be reached", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const nowhere = agentUrls(Object.fromEntries(AGENT_TYPES.map((agentType) => [agentType, closed])));
    const orchestrator = await startOrchestrator(database, {
      ...nowhere,
      SUBTASK_MAX_ATTEMPTS: "100",
      SUBTASK_RETRY_MAX_MS: "100",
    });
    try {
      await Promise.all(Array.from({ length: 20 }, () => orchestrate(orchestrator, FIVE_SUBTASKS)));
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      // Each refused subtask is due again within 100 ms: without pausing the agents this would be hundreds.
      const attempts = await metricSum(orchestrator, "orchestrator_dispatch_attempts_total");
      expect(attempts).toBeGreaterThan(0);
      expect(attempts).toBeLessThan(80);
    } finally {
      await orchestrator.stop();
    }
  });
});
