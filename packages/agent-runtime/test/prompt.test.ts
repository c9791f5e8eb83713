import { randomUUID } from "node:crypto";
import { ExecuteRequest } from "@devtools/contracts/agent";
import { renderParts } from "@devtools/inference/prompt";
import { describe, expect, it } from "vitest";
import { subtaskInput } from "../src/prompt.ts";
import { infrastructureAgent, startTestAgent } from "./support/agents.ts";
import { startScriptedBackend } from "./support/fake-backend.ts";
import { executeBody, post } from "./support/http.ts";

const upstream = [
  {
    subtask_id: randomUUID(),
    agent_type: "code-review" as const,
    summary: "Approved.",
    artifacts: [{ path: "code-review.md", kind: "review", content: "# Review\n" }],
  },
  {
    subtask_id: randomUUID(),
    agent_type: "feature-dev" as const,
    summary: "Wrote the login route.",
    artifacts: [{ path: "README.md", kind: "source", content: "Run:\n```sh\nnpm start\n```\n" }],
  },
];

describe("subtaskInput", () => {
  const request = (order: typeof upstream) =>
    ExecuteRequest.parse(executeBody({ description: "Containerize the API", upstream: order }));

  it("writes the subtask, then the upstream results in the same order whatever order they arrive in", () => {
    const forwards = renderParts(subtaskInput(request(upstream)));
    const backwards = renderParts(subtaskInput(request([...upstream].reverse())));

    expect(forwards).toBe(backwards);
    expect(forwards.indexOf("## Subtask")).toBe(0);
    expect(forwards.indexOf("### From feature-dev")).toBeLessThan(forwards.indexOf("### From code-review"));
  });

  it("leaves request ids out of the prompt", () => {
    const body = request(upstream);
    const text = renderParts(subtaskInput(body));

    for (const id of [body.subtask_id, body.task_id, body.idempotency_key, ...upstream.map((u) => u.subtask_id)]) {
      expect(text).not.toContain(id);
    }
  });

  it("fences an upstream file in more backticks than it contains, so its own fences stay inside", () => {
    const text = renderParts(subtaskInput(request(upstream)));

    expect(text).toContain("````\nRun:\n```sh\nnpm start\n```\n\n````");
  });

  it("has no upstream section for a subtask without dependencies", () => {
    expect(renderParts(subtaskInput(request([])))).toBe("## Subtask\n\nContainerize the API");
  });
});

describe("the prompt an agent sends", () => {
  it("starts every call with the same system message, byte for byte, whatever the subtask", async () => {
    const answer = JSON.stringify({
      artifacts: [{ path: "Dockerfile", kind: "dockerfile", content: "FROM node:24\n" }],
      notes: "",
    });
    const backend = await startScriptedBackend([answer]);
    const agent = await startTestAgent(infrastructureAgent, backend.url);
    try {
      await post(agent.url, "/execute", executeBody({ description: "Containerize the API" }));
      await post(agent.url, "/execute", executeBody({ description: "Write a compose file", upstream }));
      const [first, second] = backend.chats;

      expect(first?.messages[0]?.role).toBe("system");
      expect(first?.messages[0]?.content).toBe(second?.messages[0]?.content);
      expect(first?.messages[0]?.content).toContain(infrastructureAgent.system);
      expect(first?.messages[1]?.content).not.toBe(second?.messages[1]?.content);
    } finally {
      await agent.stop();
      await backend.close();
    }
  });
});
