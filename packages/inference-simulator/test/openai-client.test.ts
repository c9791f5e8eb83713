import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { clientFor, rootOf, start, userMessage } from "./support.ts";

describe("the official openai client against the simulator", () => {
  it("parses a non-streaming chat completion with usage and says it talks to a simulator", async () => {
    const simulator = await start();
    const client = clientFor(simulator);

    const { data: completion, response } = await client.chat.completions
      .create({ model: "devtools-simulator", messages: userMessage("Explain how to add rate limiting to an API") })
      .withResponse();

    expect(response.headers.get("x-inference-simulator")).toBe("devtools");
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(completion.model).toBe("devtools-simulator");
    expect(completion.system_fingerprint).toContain("simulator");
    const [choice] = completion.choices;
    expect(choice?.message.role).toBe("assistant");
    expect(choice?.message.content?.length).toBeGreaterThan(20);
    expect(choice?.finish_reason).toBe("stop");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it("streams a chat completion: role first, content deltas, finish reason, usage chunk, then [DONE]", async () => {
    const simulator = await start();
    const client = clientFor(simulator);

    const stream = await client.chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("Write a haiku about continuous integration"),
      stream: true,
      stream_options: { include_usage: true },
      seed: 3,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishing).toHaveLength(1);
    expect(finishing[0]?.choices[0]?.finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBe((last?.usage?.prompt_tokens ?? 0) + (last?.usage?.completion_tokens ?? 0));
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.id === chunks[0]?.id)).toBe(true);

    // Streaming reveals the same answer a plain request gets for the same seed and prompt.
    const whole = await client.chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("Write a haiku about continuous integration"),
      seed: 3,
    });
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(last?.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });

  it("ends the SSE body with data: [DONE] and no usage chunk when usage is not asked for", async () => {
    const simulator = await start();

    const response = await fetch(`${simulator.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: userMessage("hello"), stream: true, max_tokens: 5 }),
    });
    const events = (await response.text()).split("\n\n").filter((event) => event !== "");

    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.every((event) => event.startsWith("data: "))).toBe(true);
    const chunks = events
      .slice(0, -1)
      .map((event) => JSON.parse(event.slice(6)) as { usage?: unknown; choices: unknown[] });
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
  });

  it("parses text completions, streaming and not, with usage", async () => {
    const simulator = await start();
    const client = clientFor(simulator);

    const completion = await client.completions.create({
      model: "devtools-simulator",
      prompt: "The deployment checklist:",
      max_tokens: 30,
    });
    expect(completion.object).toBe("text_completion");
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(30);

    const stream = await client.completions.create({
      model: "devtools-simulator",
      prompt: "The deployment checklist:",
      max_tokens: 30,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: { completion_tokens: number } | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(completion.choices[0]?.text);
    expect(usage?.completion_tokens).toBe(30);
  });

  it("defaults a text completion to 16 tokens, like vLLM's CompletionRequest", async () => {
    const simulator = await start();

    const completion = await clientFor(simulator).completions.create({ model: "devtools-simulator", prompt: "Once" });

    expect(completion.usage?.completion_tokens).toBe(16);
    expect(completion.choices[0]?.finish_reason).toBe("length");
  });

  it("lists the served models in vLLM's shape", async () => {
    const simulator = await start({ servedModelName: ["devtools-simulator", "alias"], maxModelLen: 4096 });

    const page = await clientFor(simulator).models.list();
    const raw = (await (await fetch(`${simulator.url}/models`)).json()) as {
      object: string;
      data: Record<string, unknown>[];
    };

    expect(page.data.map((model) => model.id)).toEqual(["devtools-simulator", "alias"]);
    expect(raw.object).toBe("list");
    expect(raw.data[0]).toMatchObject({
      object: "model",
      owned_by: "vllm",
      root: "devtools-simulator",
      parent: null,
      max_model_len: 4096,
      permission: [expect.objectContaining({ object: "model_permission", allow_sampling: true })],
    });
  });

  it("answers the model named in the request when it is one of the served names, and the first name in replies", async () => {
    const simulator = await start({ servedModelName: "primary,secondary" });

    const completion = await clientFor(simulator).chat.completions.create({
      model: "secondary",
      messages: userMessage("hi"),
      max_tokens: 4,
    });

    expect(completion.model).toBe("primary");
  });

  it("serves /health empty, /version like vLLM's, and the simulator header on every route", async () => {
    const simulator = await start();

    const health = await fetch(`${rootOf(simulator)}/health`);
    const version = await fetch(`${rootOf(simulator)}/version`);
    const missing = await fetch(`${rootOf(simulator)}/nowhere`);

    expect(health.status).toBe(200);
    expect(await health.text()).toBe("");
    expect(((await version.json()) as { version: string }).version).toMatch(/^0\.\d+\.\d+\+devtools\.simulator$/);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Not Found" });
    for (const response of [health, version, missing])
      expect(response.headers.get("x-inference-simulator")).toBe("devtools");
  });
});
