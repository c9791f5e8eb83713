import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PlanDraft } from "@devtools/contracts/planning";
import { Task } from "@devtools/contracts/task";
import { type Database, openDatabase } from "@devtools/db/client";
import { InferenceClient } from "@devtools/inference/client";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { createLogger } from "@devtools/service-kit/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrchestratorApp } from "../src/app.ts";
import { draftProblems, planFromDraft } from "../src/planner/llm-planner.ts";

const logger = createLogger("orchestrator", "silent");

const GOOD_DRAFT: PlanDraft = {
  subtasks: [
    { agent_type: "feature-dev", description: "Add the /reports endpoint with token auth", depends_on: [] },
    { agent_type: "infrastructure", description: "Write the Dockerfile and compose service", depends_on: [] },
    { agent_type: "code-review", description: "Review the endpoint code", depends_on: [0] },
    { agent_type: "documentation", description: "Document the endpoint and its deployment", depends_on: [0, 1] },
  ],
};

describe("model plan drafts", () => {
  it("accepts dependencies that point to earlier subtasks", () => {
    expect(draftProblems(GOOD_DRAFT)).toEqual([]);
  });

  it("names each dependency on itself, a later subtask or twice on one", () => {
    const draft: PlanDraft = {
      subtasks: [
        { agent_type: "feature-dev", description: "code", depends_on: [0] },
        { agent_type: "code-review", description: "review", depends_on: [2, 0, 0] },
        { agent_type: "documentation", description: "docs", depends_on: [1] },
      ],
    };
    expect(draftProblems(draft)).toEqual([
      "subtasks[0].depends_on: 0 is not an earlier subtask (use indices below 0)",
      "subtasks[1].depends_on: 2 is not an earlier subtask (use indices below 1)",
      "subtasks[1].depends_on: lists a subtask twice",
    ]);
  });

  it("lays a draft out in stages with the critical path, like the rule planner", () => {
    let n = 0;
    const plan = planFromDraft(GOOD_DRAFT, () => `00000000-0000-4000-8000-00000000000${n++}`);
    const [code, infra, review, docs] = ["0", "1", "2", "3"].map((i) => `00000000-0000-4000-8000-00000000000${i}`);
    expect(plan.routingPlan.stages).toEqual([
      [code, infra],
      [review, docs],
    ]);
    expect(plan.subtasks.find((subtask) => subtask.id === docs)?.dependsOn).toEqual([code, infra]);
    // Code then its documentation is the longest chain: the documentation writes more than the review.
    expect(plan.routingPlan.critical_path).toEqual([code, docs]);
    expect(plan.estimatedTokens).toBe(plan.subtasks.reduce((sum, subtask) => sum + subtask.estimatedTokens, 0));
  });
});

/** An OpenAI-compatible backend that answers each chat completion with the next scripted content. */
async function scriptedBackend(answers: string[]) {
  const requests: { response_format?: { type: string; json_schema?: { name: string } } }[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    requests.push(JSON.parse(body));
    const content = answers[Math.min(requests.length - 1, answers.length - 1)] ?? "";
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        created: 0,
        model: "planner-test",
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      }),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

const clientFor = (url: string) =>
  new InferenceClient({
    config: {
      backends: [{ url, maxConcurrency: 4 }],
      model: "planner-test",
      apiKey: undefined,
      timeoutMs: 5_000,
      maxRetries: 0,
    },
  });

describe("POST /orchestrate with the model planner", () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ kind: "pglite", dataDir: "memory://" });
  });
  afterAll(async () => {
    await database?.close();
  });

  async function orchestrate(inference: InferenceClient | undefined, body: object) {
    const app = createOrchestratorApp({ database, logger, ...(inference ? { inference } : {}) });
    const response = await app.request("/orchestrate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    const task = Task.parse(await response.json());
    const stored = await app.request(`/tasks/${task.task_id}`);
    expect(Task.parse(await stored.json())).toEqual(task);
    return task;
  }

  it("plans with the model when a backend is configured, sending the plan schema as strict structured output", async () => {
    const backend = await scriptedBackend([JSON.stringify(GOOD_DRAFT)]);
    const inference = clientFor(backend.url);
    try {
      const task = await orchestrate(inference, { description: "Ship a reports endpoint" });

      expect(task.planner).toBe("llm");
      expect(task.planner_note).toBeNull();
      expect(task.subtasks.map((subtask) => subtask.agent_type)).toEqual([
        "feature-dev",
        "infrastructure",
        "code-review",
        "documentation",
      ]);
      expect(backend.requests[0]?.response_format).toMatchObject({
        type: "json_schema",
        json_schema: { name: "plan_draft" },
      });
    } finally {
      await inference.close();
      await backend.close();
    }
  });

  it("repairs a draft that is not a DAG in one more round", async () => {
    const cyclic = {
      subtasks: [{ agent_type: "feature-dev", description: "code", depends_on: [1] }, ...GOOD_DRAFT.subtasks],
    };
    const backend = await scriptedBackend([JSON.stringify(cyclic), JSON.stringify(GOOD_DRAFT)]);
    const inference = clientFor(backend.url);
    try {
      const task = await orchestrate(inference, { description: "Ship a reports endpoint", planner: "llm" });

      expect(task.planner).toBe("llm");
      expect(backend.requests.length).toBe(2);
    } finally {
      await inference.close();
      await backend.close();
    }
  });

  it("falls back to the rules, saying why, when the model's draft stays invalid", async () => {
    const backend = await scriptedBackend(["{not json"]);
    const inference = clientFor(backend.url);
    try {
      const task = await orchestrate(inference, { description: "Deploy new API endpoint with authentication" });

      expect(task.planner).toBe("rules");
      expect(task.planner_note).toMatch(/could not plan/);
      expect(task.subtasks.length).toBe(5);
      expect(backend.requests.length).toBe(2);
    } finally {
      await inference.close();
      await backend.close();
    }
  });

  it("falls back to the rules when the backend is down", async () => {
    const backend = await scriptedBackend([]);
    await backend.close();
    const inference = clientFor(backend.url);
    try {
      const task = await orchestrate(inference, { description: "Fix the login bug", planner: "llm" });

      expect(task.planner).toBe("rules");
      expect(task.planner_note).toMatch(/could not plan/);
    } finally {
      await inference.close();
    }
  });

  it("uses the rules without calling the model when the request asks for them", async () => {
    const backend = await scriptedBackend([JSON.stringify(GOOD_DRAFT)]);
    const inference = clientFor(backend.url);
    try {
      const task = await orchestrate(inference, { description: "Fix the login bug", planner: "rules" });

      expect(task.planner).toBe("rules");
      expect(task.planner_note).toBeNull();
      expect(backend.requests.length).toBe(0);
    } finally {
      await inference.close();
      await backend.close();
    }
  });

  it("notes that no backend is configured when the model planner is asked for without one", async () => {
    const task = await orchestrate(undefined, { description: "Fix the login bug", planner: "llm" });

    expect(task.planner).toBe("rules");
    expect(task.planner_note).toBe("no inference backend is configured");
  });

  describe("against the inference simulator", () => {
    let simulator: RunningSimulator;

    beforeAll(async () => {
      simulator = await startSimulator({ port: 0 });
    });
    afterAll(async () => {
      await simulator?.close();
    });

    it("answers a valid task whichever planner made it, and a model plan is a DAG of the schema", async () => {
      const inference = new InferenceClient({
        config: {
          backends: [{ url: simulator.url, maxConcurrency: 4 }],
          model: undefined,
          apiKey: undefined,
          timeoutMs: 10_000,
          maxRetries: 1,
        },
      });
      try {
        const task = await orchestrate(inference, { description: "Deploy new API endpoint with authentication" });

        if (task.planner === "llm") {
          const ids = new Set<string>();
          for (const id of task.routing_plan.execution_order) {
            const subtask = task.subtasks.find((candidate) => candidate.id === id);
            expect(subtask?.depends_on.every((dependency) => ids.has(dependency))).toBe(true);
            ids.add(id);
          }
        } else {
          expect(task.planner_note).toMatch(/could not plan/);
        }
      } finally {
        await inference.close();
      }
    });
  });
});
