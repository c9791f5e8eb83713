import { randomUUID } from "node:crypto";
import type { AgentType } from "@devtools/contracts/agent-type";
import { SERVICES } from "@devtools/contracts/services";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { createTestDatabase, type TestDatabase } from "@devtools/testkit/database";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, fakeLinear, type RunningGateway, startMcpGateway } from "./support/gateway.ts";

// Infrastructure, then cicd, then documentation: three stages, one subtask each.
const THREE_STAGES =
  "Containerize the worker with Docker, add a CI/CD pipeline that deploys it, and document the runbook";
const AGENTS: AgentType[] = ["infrastructure", "cicd", "documentation"];

// The orchestrator and three agents as real processes on the inference simulator; the gateway's MCP
// endpoint on a free port, reached with the SDK's client over HTTP.
describe("the gateway's own MCP tools", () => {
  let simulator: RunningSimulator;
  let database: TestDatabase;
  let agents: ServiceProcess[];
  let orchestrator: ServiceProcess;
  let gateway: RunningGateway;
  let client: Client;
  const linear = fakeLinear();

  beforeAll(async () => {
    simulator = await startSimulator({ ttftMs: 300, tokensPerSecond: 20_000 });
    database = await createTestDatabase("pglite");
    agents = await Promise.all(AGENTS.map((agent) => startService(agent, { INFERENCE_BASE_URL: simulator.url })));
    const agentEnv = Object.fromEntries(
      AGENTS.map((agent, index) => [SERVICES[agent].urlVariable, agents[index]?.url ?? ""]),
    );
    orchestrator = await startService("orchestrator", {
      ...database.env,
      ...agentEnv,
      EXECUTION_POLL_MS: "100",
      TASK_EVENTS_POLL_MS: "100",
      LEASE_MS: "2000",
    });
    gateway = await startMcpGateway({ ORCHESTRATOR_URL: orchestrator.url, ...agentEnv }, linear.operations);
    client = await connectClient(gateway.url);
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await orchestrator?.stop();
    await Promise.all((agents ?? []).map((agent) => agent.stop()));
    await simulator?.close();
    await database?.drop();
  });

  it("lists the task, agent and Linear tools with the contracts' JSON schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "orchestrate",
      "get_task",
      "list_tasks",
      "cancel_task",
      "feature-dev",
      "code-review",
      "infrastructure",
      "cicd",
      "documentation",
      "linear_search_issues",
      "linear_create_issue",
      "linear_comment",
    ]);
    const orchestrate = tools.find((tool) => tool.name === "orchestrate");
    expect(orchestrate?.inputSchema).toMatchObject({
      type: "object",
      required: ["description"],
      additionalProperties: false,
      properties: { priority: { type: "string", enum: ["low", "medium", "high", "critical"], default: "medium" } },
    });
    expect(orchestrate?.outputSchema).toMatchObject({ type: "object", properties: { task_id: { type: "string" } } });
  });

  it("orchestrates with progress notifications, subtasks done/total, until the task ends", async () => {
    const updates: { progress: number; total?: number; message?: string }[] = [];
    const result = await client.callTool(
      { name: "orchestrate", arguments: { description: THREE_STAGES, planner: "rules" } },
      undefined,
      { onprogress: (update) => updates.push(update), resetTimeoutOnProgress: true },
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: "succeeded",
      subtasks: AGENTS.map((agent_type) => ({ agent_type })),
    });
    expect(updates.map((update) => [update.progress, update.total])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(updates[1]?.message).toBe("infrastructure succeeded (1/3)");
  });

  it("stops following after the wait limit and answers with the task as it stands", async () => {
    // feature-dev and code-review are not running: their subtasks keep the task busy with retries.
    const impatient = await startMcpGateway(
      { ORCHESTRATOR_URL: orchestrator.url, MCP_ORCHESTRATE_WAIT_SECONDS: "1" },
      linear.operations,
    );
    const other = await connectClient(impatient.url);
    try {
      const started = Date.now();
      const result = await other.callTool(
        {
          name: "orchestrate",
          arguments: { description: "Deploy new API endpoint with authentication", planner: "rules" },
        },
        undefined,
        { onprogress: () => {} },
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      const task = result.structuredContent as { task_id: string; status: string };
      expect(task.status).toMatch(/^(pending|running)$/);
      expect(result.content).toContainEqual({
        type: "text",
        text: `Task ${task.task_id} is still ${task.status} after 1 s; follow it with get_task.`,
      });
      await other.callTool({ name: "cancel_task", arguments: { id: task.task_id } });
    } finally {
      await other.close();
      await impatient.stop();
    }
  });

  it("plans and answers at once when the call carries no progress token; get_task and list_tasks find the task", async () => {
    const planned = await client.callTool({
      name: "orchestrate",
      arguments: { description: THREE_STAGES, planner: "rules" },
    });
    const task = planned.structuredContent as { task_id: string; status: string };
    expect(task.status).toBe("pending");

    const got = await client.callTool({ name: "get_task", arguments: { id: task.task_id } });
    expect(got.structuredContent).toMatchObject({ task_id: task.task_id, description: THREE_STAGES });
    expect(JSON.parse((got.content as { text: string }[])[0]?.text ?? "")).toMatchObject({ task_id: task.task_id });

    const listed = await client.callTool({ name: "list_tasks", arguments: { limit: 5 } });
    expect((listed.structuredContent as { items: { task_id: string }[] }).items.map((item) => item.task_id)).toContain(
      task.task_id,
    );
  });

  it("cancels a running task, and says why it cannot cancel one that has ended", async () => {
    const planned = await client.callTool({
      name: "orchestrate",
      arguments: { description: THREE_STAGES, planner: "rules" },
    });
    const { task_id } = planned.structuredContent as { task_id: string };
    const cancelled = await client.callTool({ name: "cancel_task", arguments: { id: task_id } });
    expect(cancelled.structuredContent).toMatchObject({ task_id, status: "cancelled" });
    const again = await client.callTool({ name: "cancel_task", arguments: { id: task_id } });
    expect(again).toMatchObject({
      isError: true,
      content: [{ type: "text", text: `the orchestrator answered 409: task ${task_id} has already ended` }],
    });
  });

  it("answers an unknown task as a tool error, and bad arguments as invalid-params naming the field", async () => {
    const id = randomUUID();
    const missing = await client.callTool({ name: "get_task", arguments: { id } });
    expect(missing).toMatchObject({
      isError: true,
      content: [{ text: `the orchestrator answered 404: no task with id ${id}` }],
    });

    await expect(client.callTool({ name: "get_task", arguments: { id: "nope" } })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/invalid arguments for get_task: id: /),
    });
    await expect(
      client.callTool({ name: "orchestrate", arguments: { description: "x", colour: "red" } }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining("colour: is not a known argument"),
    });
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
  });

  it("runs one agent directly, and replays its result for the same idempotency key", async () => {
    const args = { description: "Document the /health endpoint of the billing API", idempotency_key: randomUUID() };
    const first = await client.callTool({ name: "documentation", arguments: args });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ agent_type: "documentation", replayed: false });
    const second = await client.callTool({ name: "documentation", arguments: args });
    expect(second.structuredContent).toMatchObject({
      agent_type: "documentation",
      replayed: true,
      subtask_id: (first.structuredContent as { subtask_id: string }).subtask_id,
    });
  });

  it("says which agent could not be reached", async () => {
    // feature-dev is not running in this test: its default URL answers nothing.
    const result = await client.callTool({ name: "feature-dev", arguments: { description: "Add a /version route" } });
    expect(result).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/^feature-dev failed: /) }],
    });
  });

  it("searches, creates and comments in Linear through the stored connection", async () => {
    const found = await client.callTool({ name: "linear_search_issues", arguments: { query: "login" } });
    expect(found.structuredContent).toEqual({
      issues: [expect.objectContaining({ identifier: "ENG-1", title: "About login" })],
    });
    expect(linear.calls).toContainEqual({ operation: "searchIssues", input: { query: "login", first: 10 } });

    const created = await client.callTool({
      name: "linear_create_issue",
      arguments: { team_id: "team-1", title: "Flaky deploy" },
    });
    expect(created.structuredContent).toMatchObject({ identifier: "ENG-2", title: "Flaky deploy" });

    const failed = await client.callTool({
      name: "linear_comment",
      arguments: { issue_id: "ENG-404", body: "Looked" },
    });
    expect(failed).toMatchObject({
      isError: true,
      content: [{ text: "linear_comment failed: Linear has no issue ENG-404" }],
    });

    await expect(
      client.callTool({ name: "linear_create_issue", arguments: { team_id: "team-1", title: "  " } }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining("title: must not be empty"),
    });
  });
});
