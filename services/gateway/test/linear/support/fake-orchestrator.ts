import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { OrchestrateRequest } from "@devtools/contracts/orchestrate";

/**
 * An orchestrator stand-in that records `POST /orchestrate` and serves each task as succeeded at
 * `GET /tasks/{id}`, so that a test decides when (and how often) the task-ended callback arrives.
 */
export async function startFakeOrchestrator() {
  const requests: OrchestrateRequest[] = [];
  /** The id of the task each request got, by index. */
  const taskIds: string[] = [];
  const taskReads: string[] = [];
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method === "POST" && url.pathname === "/orchestrate") {
      requests.push(JSON.parse(body) as OrchestrateRequest);
      const taskId = randomUUID();
      taskIds.push(taskId);
      response.writeHead(201, { "content-type": "application/json" });
      return response.end(JSON.stringify(taskView(taskId, "pending")));
    }
    const match = /^\/tasks\/([\da-f-]{36})$/.exec(url.pathname);
    if (request.method === "GET" && match?.[1]) {
      taskReads.push(match[1]);
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(taskView(match[1], "succeeded")));
    }
    response.writeHead(404);
    response.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    taskIds,
    taskReads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function taskView(taskId: string, status: "pending" | "succeeded") {
  const now = new Date().toISOString();
  const done = status === "succeeded";
  return {
    task_id: taskId,
    description: "from Linear",
    priority: "medium",
    status,
    planner: "rules",
    planner_note: null,
    subtasks: [
      {
        id: randomUUID(),
        agent_type: "feature-dev",
        description: "Write the login endpoint",
        status: done ? "succeeded" : "pending",
        result: done ? { summary: "Added POST /login with session cookies" } : null,
        error: null,
      },
    ],
    routing_plan: { execution_order: [], stages: [], critical_path: [], estimated_duration_minutes: 1 },
    estimated_tokens: 10,
    error: null,
    usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    created_at: now,
    updated_at: now,
    started_at: done ? now : null,
    finished_at: done ? now : null,
    cancel_requested_at: null,
    max_tokens: null,
    callback_url: null,
  };
}
