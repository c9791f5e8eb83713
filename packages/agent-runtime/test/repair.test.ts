import { EXECUTE_RESULTS } from "@devtools/contracts/agent";
import { Problem } from "@devtools/contracts/problem";
import { afterEach, describe, expect, it } from "vitest";
import { cicdAgent, infrastructureAgent, startTestAgent, type TestAgent } from "./support/agents.ts";
import { type ScriptedAnswer, type ScriptedBackend, startScriptedBackend } from "./support/fake-backend.ts";
import { executeBody, post } from "./support/http.ts";

const DOCKERFILE = 'FROM node:24-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["node", "main.js"]\n';
const infrastructure = (kind: string, content: string) =>
  JSON.stringify({
    artifacts: [{ path: kind === "compose" ? "compose.yaml" : "Dockerfile", kind, content }],
    notes: "One file.",
  });
const workflow = (content: string) =>
  JSON.stringify({ workflows: [{ path: ".github/workflows/ci.yml", content }], notes: "CI on pushes." });

const WORKFLOW_WITHOUT_ON = "name: ci\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
const WORKFLOW = `on: [push]\n${WORKFLOW_WITHOUT_ON}`;

describe("the repair round", () => {
  let backend: ScriptedBackend | undefined;
  let agent: TestAgent | undefined;

  afterEach(async () => {
    await agent?.stop();
    await backend?.close();
  });

  async function run(definition: typeof infrastructureAgent | typeof cicdAgent, script: ScriptedAnswer[]) {
    backend = await startScriptedBackend(script);
    agent = await startTestAgent(definition as typeof infrastructureAgent, backend.url);
    return post(agent.url, "/execute", executeBody());
  }

  /** The last user message of the n-th model call: the repair instruction, for the second. */
  const lastUserMessage = (index: number) => backend?.chats[index]?.messages.at(-1)?.content ?? "";

  it("repairs an answer that is not JSON and reports it as repaired, with both rounds' tokens", async () => {
    const response = await run(infrastructureAgent, [
      "Sure! Here is your Dockerfile: FROM node",
      infrastructure("dockerfile", DOCKERFILE),
    ]);

    expect(response.status).toBe(200);
    const result = EXECUTE_RESULTS.infrastructure.parse(await response.json());
    expect(result.repaired).toBe(true);
    expect(result.artifacts).toEqual([{ path: "Dockerfile", kind: "dockerfile", content: DOCKERFILE }]);
    expect(result.usage).toEqual({ prompt_tokens: 240, completion_tokens: 80, total_tokens: 320 });
    expect(backend?.chats).toHaveLength(2);
    expect(lastUserMessage(1)).toContain("not valid JSON");
    // The repair round repeats the conversation, so its start is still the cached prefix.
    expect(backend?.chats[1]?.messages.slice(0, 2)).toEqual(backend?.chats[0]?.messages);
  });

  it("repairs a Dockerfile without FROM, showing the model dockerfile-ast's finding", async () => {
    const response = await run(infrastructureAgent, [
      infrastructure("dockerfile", "WORKDIR /app\nCOPY . .\n"),
      infrastructure("dockerfile", DOCKERFILE),
    ]);

    expect(response.status).toBe(200);
    expect(((await response.json()) as { repaired: boolean }).repaired).toBe(true);
    expect(lastUserMessage(1)).toContain("artifacts[0].content: Dockerfile: has no FROM instruction");
  });

  it("repairs a Compose file that the Compose Specification rejects", async () => {
    const response = await run(infrastructureAgent, [
      infrastructure("compose", "services:\n  api:\n    imagee: example/api:1.0\n"),
      infrastructure("compose", "services:\n  api:\n    image: example/api:1.0\n"),
    ]);

    expect(response.status).toBe(200);
    expect(lastUserMessage(1)).toContain('services.api: "imagee" is not a Compose property');
  });

  it("repairs a workflow without `on`, showing the model GitHub's parser's message", async () => {
    const response = await run(cicdAgent, [workflow(WORKFLOW_WITHOUT_ON), workflow(WORKFLOW)]);

    expect(response.status).toBe(200);
    const result = EXECUTE_RESULTS.cicd.parse(await response.json());
    expect(result.repaired).toBe(true);
    expect(result.output.workflows[0]?.content).toBe(WORKFLOW);
    expect(lastUserMessage(1)).toContain("Required property is missing: on");
  });

  it("fails with 422 naming the problem when the repaired answer is still invalid, without retrying", async () => {
    const response = await run(infrastructureAgent, [infrastructure("dockerfile", "WORKDIR /app\n")]);

    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBeNull();
    const problem = Problem.parse(await response.json());
    expect(problem.type).toBe("urn:devtools:problem:invalid_model_output");
    expect(problem.errors).toContainEqual(
      expect.objectContaining({
        field: "output.artifacts[0].content",
        message: expect.stringContaining("has no FROM"),
      }),
    );
    expect(backend?.chats).toHaveLength(2);
  });

  it("fails with 422 when the answer never matches the schema", async () => {
    const response = await run(infrastructureAgent, [
      JSON.stringify({ artifacts: [{ path: "Dockerfile", kind: "helm" }] }),
    ]);

    expect(response.status).toBe(422);
    const problem = Problem.parse(await response.json());
    expect(problem.errors?.map((error) => error.field)).toEqual(
      expect.arrayContaining(["output.artifacts[0].kind", "output.artifacts[0].content", "output.notes"]),
    );
  });

  it("asks for the agent's schema as strict structured output", async () => {
    await run(infrastructureAgent, [infrastructure("dockerfile", DOCKERFILE)]);

    expect(backend?.chats[0]?.responseFormat).toMatchObject({
      type: "json_schema",
      json_schema: {
        name: "infrastructure_output",
        strict: true,
        schema: { type: "object", additionalProperties: false, required: ["artifacts", "notes"] },
      },
    });
  });
});
