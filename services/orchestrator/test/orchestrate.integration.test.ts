import { randomUUID } from "node:crypto";
import { Problem } from "@devtools/contracts/problem";
import { Task, TaskPage } from "@devtools/contracts/task";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The orchestrator as a real process on a free port, over real HTTP, on each database kind.
describe.each(await testDatabaseKinds())("orchestrator process on %s", (kind) => {
  let database: TestDatabase;
  let orchestrator: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Planning and reading only: with no agents to reach, a running engine would race the status filter.
    orchestrator = await startService("orchestrator", { ...database.env, EXECUTION_CONCURRENCY: "0" });
  });
  afterAll(async () => {
    await orchestrator?.stop();
    await database?.drop();
  });

  const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${orchestrator.url}/orchestrate`, { method: "POST", body, headers });
  const taskCount = async () =>
    TaskPage.parse(await (await fetch(`${orchestrator.url}/tasks?limit=100`)).json()).items.length;

  async function expectProblem(response: Response, status: number, field?: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = Problem.parse(await response.json());
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((error) => error.field)).toContain(field);
    return problem;
  }

  describe("happy path", () => {
    it("answers the deployment guide's curl example (form content type) in the documented shape", async () => {
      const response = await post('{"description":"Deploy new API endpoint with authentication","priority":"high"}', {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(response.status).toBe(201);
      const task = Task.parse(await response.json());
      expect(response.headers.get("location")).toBe(`/tasks/${task.task_id}`);
      expect(task.subtasks.length).toBe(5);
      expect(task.subtasks.every((subtask) => subtask.status === "pending")).toBe(true);
      expect(task.routing_plan.execution_order).toEqual(task.subtasks.map((subtask) => subtask.id));
      expect(task.routing_plan.stages.length).toBe(3);
      expect(task.estimated_tokens).toBeGreaterThan(0);
      expect(task.routing_plan.estimated_duration_minutes).toBeGreaterThan(0);
      const response2 = await fetch(`${orchestrator.url}/tasks/${task.task_id}`);
      expect(response2.status).toBe(200);
      // The subtasks start running in the background at once: what is stored is the plan answered.
      const stored = Task.parse(await response2.json());
      const { status: _status, updated_at: _updated, started_at: _started, subtasks: _subtasks, ...plan } = task;
      expect(stored).toMatchObject(plan);
      const shape = (subtasks: Task["subtasks"]) =>
        subtasks.map(({ id, agent_type, description, depends_on, stage }) => ({
          id,
          agent_type,
          description,
          depends_on,
          stage,
        }));
      expect(shape(stored.subtasks)).toEqual(shape(task.subtasks));
    });

    it("defaults the priority to medium", async () => {
      const task = Task.parse(await (await post(JSON.stringify({ description: "Fix the login bug" }))).json());
      expect(task.priority).toBe("medium");
    });

    it("is ready when its database answers", async () => {
      const response = await fetch(`${orchestrator.url}/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "ready", checks: { database: { status: "ok" } } });
    });
  });

  describe("bad input gets a 4xx problem naming it, and writes nothing", () => {
    const cases: [string, () => Promise<Response>, number, string | undefined][] = [
      ["invalid JSON", () => post('{"description": "x",'), 400, undefined],
      [
        "a description of the wrong type",
        () => post(JSON.stringify({ description: 42, priority: "high" })),
        400,
        "description",
      ],
      [
        "an empty description",
        () => post(JSON.stringify({ description: "   ", priority: "high" })),
        400,
        "description",
      ],
      ["a missing description", () => post(JSON.stringify({ priority: "high" })), 400, "description"],
      [
        "a 1 MB description",
        () => post(JSON.stringify({ description: "a".repeat(1_000_000), priority: "low" })),
        400,
        "description",
      ],
      [
        "an unknown priority",
        () => post(JSON.stringify({ description: "Add a cache", priority: "urgent" })),
        400,
        "priority",
      ],
      ["an unknown field", () => post(JSON.stringify({ description: "Add a cache", priorty: "high" })), 400, "priorty"],
      ["an array body", () => post("[]"), 400, "(body)"],
      ["an empty body", () => post(""), 400, undefined],
      [
        "a body over the size limit",
        () => post(JSON.stringify({ description: "a".repeat(2_000_000) })),
        413,
        undefined,
      ],
      ["a non-JSON content type", () => post("description=x", { "content-type": "text/plain" }), 415, undefined],
    ];
    it.each(cases)("rejects %s", async (_name, send, status, field) => {
      const before = await taskCount();
      const problem = await expectProblem(await send(), status, field);
      expect(problem.detail).toBeTruthy();
      expect(await taskCount()).toBe(before);
    });
  });

  describe("reading tasks", () => {
    it("answers 404 for an unknown task and 400 for an id that is not a UUID", async () => {
      await expectProblem(await fetch(`${orchestrator.url}/tasks/${randomUUID()}`), 404);
      await expectProblem(await fetch(`${orchestrator.url}/tasks/not-a-uuid`), 400, "id");
    });

    it("validates list filters", async () => {
      await expectProblem(await fetch(`${orchestrator.url}/tasks?status=lost`), 400, "status");
      await expectProblem(await fetch(`${orchestrator.url}/tasks?limit=1000`), 400, "limit");
      await expectProblem(await fetch(`${orchestrator.url}/tasks?cursor=bm9wZQ`), 400, "cursor");
    });

    it("filters by status", async () => {
      const page = TaskPage.parse(await (await fetch(`${orchestrator.url}/tasks?status=pending`)).json());
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((item) => item.status === "pending")).toBe(true);
    });
  });

  it("stops cleanly on SIGTERM", async () => {
    const second = await startService("orchestrator", database.env);
    expect(await second.stop()).toBe(0);
    expect(second.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });
});

describe("orchestrator configuration", () => {
  it("refuses to start with a message naming each bad variable, without echoing secrets", async () => {
    const failure = startService("orchestrator", { PORT: "not-a-port", DATABASE_URL: "mysql://u:hunter2@x" });
    await expect(failure).rejects.toThrow(/PORT="not-a-port"/);
    await expect(failure).rejects.toThrow(/DATABASE_URL: must be a postgres/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
