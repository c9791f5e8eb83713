import { AuthenticationError, BadRequestError, NotFoundError } from "openai";
import { describe, expect, it } from "vitest";
import { clientFor, post, rootOf, start, userMessage } from "./support.ts";

const errorShape = {
  error: {
    message: expect.any(String),
    type: expect.any(String),
    param: expect.toSatisfy((value: unknown) => value === null || typeof value === "string"),
    code: expect.any(Number),
  },
};

describe("errors in vLLM's shape", () => {
  it("answers 404 NotFoundError for a model it does not serve", async () => {
    const simulator = await start();

    const answer = await post(simulator, "/v1/chat/completions", { model: "gpt-9", messages: userMessage("hi") });

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { message: "The model `gpt-9` does not exist.", type: "NotFoundError", param: "model", code: 404 },
    });
    await expect(
      clientFor(simulator).chat.completions.create({ model: "gpt-9", messages: userMessage("hi") }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers 400 when the prompt plus max_tokens exceeds max_model_len, with vLLM's wording", async () => {
    const simulator = await start({ maxModelLen: 64 });

    const tooMany = await post(simulator, "/v1/chat/completions", { messages: userMessage("hello"), max_tokens: 100 });
    const tooLong = await post(simulator, "/v1/completions", { prompt: "word ".repeat(200) });

    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { type: "BadRequestError", param: "max_tokens", code: 400 } });
    expect((tooMany.body as { error: { message: string } }).error.message).toMatch(
      /^'max_tokens' or 'max_completion_tokens' is too large: 100\. This model's maximum context length is 64 tokens and your request has \d+ input tokens \(100 > 64 - \d+\)\.$/,
    );
    expect(tooLong.status).toBe(400);
    expect((tooLong.body as { error: { message: string; param: string } }).error).toMatchObject({
      message: expect.stringMatching(
        /^This model's maximum context length is 64 tokens\. However, your request has \d+ input tokens\./,
      ),
      param: "input_tokens",
    });
  });

  it("answers 400 for malformed JSON, with the decode position as FastAPI reports it", async () => {
    const simulator = await start();

    const answer = await post(simulator, "/v1/chat/completions", '{"messages": [');

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject(errorShape);
    expect(answer.body).toMatchObject({ error: { type: "Bad Request", code: 400, param: "body.14" } });
    expect((answer.body as { error: { message: string } }).error.message).toContain("'type': 'json_invalid'");
  });

  it("answers 400 naming the field for wrong types and missing messages", async () => {
    const simulator = await start();

    const wrongType = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("hi"),
      temperature: "hot",
    });
    const missing = await post(simulator, "/v1/chat/completions", { model: "devtools-simulator" });
    const notAnObject = await post(simulator, "/v1/completions", [1, 2, 3]);

    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ error: { type: "Bad Request", param: "body.temperature", code: 400 } });
    expect(missing.body).toMatchObject({ error: { param: "body.messages", code: 400 } });
    expect((missing.body as { error: { message: string } }).error.message).toBe(
      "1 validation error:\n  {'type': 'missing', 'loc': ('body', 'messages'), 'msg': 'Field required'}",
    );
    expect(notAnObject.status).toBe(400);
    await expect(
      clientFor(simulator).chat.completions.create({
        model: "devtools-simulator",
        messages: userMessage("hi"),
        max_tokens: 0,
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it("rejects stream_options without stream and n > 1, as documented", async () => {
    const simulator = await start();

    const options = await post(simulator, "/v1/chat/completions", {
      messages: userMessage("hi"),
      stream_options: { include_usage: true },
    });
    const several = await post(simulator, "/v1/chat/completions", { messages: userMessage("hi"), n: 2 });

    expect(options.body).toMatchObject({ error: { param: "stream_options", code: 400 } });
    expect(several.body).toMatchObject({ error: { param: "n", code: 400, type: "BadRequestError" } });
  });

  it("never crashes on odd input: every answer is a 4xx in vLLM's shape and the server stays up", async () => {
    const simulator = await start();
    const bodies = [
      "",
      "null",
      '"text"',
      "{",
      "{}",
      JSON.stringify({ messages: "hi" }),
      JSON.stringify({ messages: [{ content: "no role" }] }),
      JSON.stringify({ messages: [{ role: "user", content: 42 }] }),
      JSON.stringify({ messages: userMessage("x"), stop: 3 }),
      JSON.stringify({ messages: userMessage("x"), response_format: { type: "json_schema" } }),
      JSON.stringify({ messages: userMessage("x"), response_format: { type: "xml" } }),
      JSON.stringify({ messages: userMessage("x"), structured_outputs: { json: "{not json" } }),
      JSON.stringify({ messages: userMessage("x"), structured_outputs: { regex: "a+", choice: ["a"] } }),
      JSON.stringify({ prompt: [[1, 2], [3]] }),
      '{"prompt": [9007199254740993]}',
    ];

    for (const body of bodies) {
      for (const path of ["/v1/chat/completions", "/v1/completions"]) {
        const answer = await post(simulator, path, body);
        expect(answer.status, `${path} ${body}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${path} ${body}`).toBeLessThan(500);
        expect(answer.body, `${path} ${body}`).toMatchObject(errorShape);
      }
    }
    expect((await fetch(`${rootOf(simulator)}/health`)).status).toBe(200);
  });
});

describe("--api-key", () => {
  it("requires the Bearer key on /v1 routes and answers 401 {error: Unauthorized} like vLLM", async () => {
    const simulator = await start({ apiKey: "secret-key" });

    const missing = await fetch(`${simulator.url}/models`);
    const wrong = await fetch(`${simulator.url}/models`, { headers: { authorization: "Bearer nope" } });
    const right = await fetch(`${simulator.url}/models`, { headers: { authorization: "Bearer secret-key" } });

    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "Unauthorized" });
    expect(missing.headers.get("x-inference-simulator")).toBe("devtools");
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
    await expect(clientFor(simulator, { apiKey: "nope" }).models.list()).rejects.toBeInstanceOf(AuthenticationError);
    const completion = await clientFor(simulator, { apiKey: "secret-key" }).chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("hi"),
      max_tokens: 3,
    });
    expect(completion.choices).toHaveLength(1);
  });

  it("leaves /health, /metrics and /tokenize open, as vLLM guards only /v1-style prefixes", async () => {
    const simulator = await start({ apiKey: ["one", "two"] });

    expect((await fetch(`${rootOf(simulator)}/health`)).status).toBe(200);
    expect((await fetch(`${rootOf(simulator)}/metrics`)).status).toBe(200);
    expect((await post(simulator, "/tokenize", { prompt: "hi" })).status).toBe(200);
    expect((await fetch(`${simulator.url}/models`, { headers: { authorization: "bearer two" } })).status).toBe(200);
  });
});
