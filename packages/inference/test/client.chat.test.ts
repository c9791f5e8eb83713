import { waitFor } from "@devtools/testkit/poll";
import { afterEach, describe, expect, it } from "vitest";
import {
  InferenceAbortedError,
  InferenceConnectionError,
  InferenceHttpError,
  InferenceTimeoutError,
} from "../src/errors.ts";
import { answering, completion, type FakeBackend, sendJson, startFakeBackend } from "./fake-backend.ts";
import { metricValue, testClient, testConfig } from "./support.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(handler: Parameters<typeof startFakeBackend>[0]): Promise<FakeBackend> {
  const backend = await startFakeBackend(handler);
  cleanups.push(() => backend.close());
  return backend;
}

function client(...args: Parameters<typeof testClient>) {
  const made = testClient(...args);
  cleanups.push(() => made.client.close());
  return made;
}

const hello = { messages: [{ role: "user" as const, content: "hello" }] };

describe("chat", () => {
  it("returns the answer with its token usage and counts both in metrics", async () => {
    const backend = await fake(answering("hi there"));
    const { client: inference, registry } = client(testConfig([backend.url]));

    const result = await inference.chat({ ...hello, temperature: 0.2, maxTokens: 50 });

    expect(result).toMatchObject({
      text: "hi there",
      finishReason: "stop",
      usage: { promptTokens: 11, completionTokens: 7, totalTokens: 18 },
      backend: backend.url,
      attempts: 1,
    });
    expect(backend.received[0]?.body).toMatchObject({
      model: "test-model",
      messages: [{ role: "user", content: "hello" }],
      temperature: 0.2,
      max_tokens: 50,
    });
    const labels = { backend: backend.url, model: "test-model" };
    expect(await metricValue(registry, "inference_requests_total", { ...labels, outcome: "success" })).toBe(1);
    expect(await metricValue(registry, "inference_tokens_total", { ...labels, kind: "prompt" })).toBe(11);
    expect(await metricValue(registry, "inference_tokens_total", { ...labels, kind: "completion" })).toBe(7);
  });

  it("uses the first model the backend lists when none is configured", async () => {
    const backend = await fake(answering("ok"));
    const { client: inference } = client(testConfig([backend.url], { model: undefined }));

    await inference.chat(hello);
    await inference.chat(hello);

    expect(backend.received.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /v1/models",
      "POST /v1/chat/completions",
      "POST /v1/chat/completions",
    ]);
    expect(backend.received[1]?.body.model).toBe("test-model");
  });

  it("retries a 503 and succeeds", async () => {
    const backend = await fake((_request, response, index) =>
      index === 0
        ? sendJson(response, 503, { error: { message: "loading" } })
        : sendJson(response, 200, completion("ok")),
    );
    const { client: inference, registry } = client(testConfig([backend.url]));

    const result = await inference.chat(hello);

    expect(result.attempts).toBe(2);
    expect(backend.received).toHaveLength(2);
    const labels = { backend: backend.url, model: "test-model" };
    expect(await metricValue(registry, "inference_requests_total", { ...labels, outcome: "server_error" })).toBe(1);
    expect(await metricValue(registry, "inference_requests_total", { ...labels, outcome: "success" })).toBe(1);
  });

  it("waits as long as Retry-After says before retrying a 429", async () => {
    const answeredAt: number[] = [];
    const backend = await fake((_request, response, index) => {
      answeredAt.push(performance.now());
      if (index === 0) return sendJson(response, 429, { error: { message: "slow down" } }, { "retry-after": "1" });
      sendJson(response, 200, completion("ok"));
    });
    const { client: inference } = client(testConfig([backend.url]));

    await inference.chat(hello);

    const [first = 0, second = 0] = answeredAt;
    expect(second - first).toBeGreaterThanOrEqual(950);
  });

  it("does not retry a 400 and reports it as a permanent HTTP error", async () => {
    const backend = await fake((_request, response) =>
      sendJson(response, 400, { error: { message: "This model's maximum context length is 4096 tokens" } }),
    );
    const { client: inference } = client(testConfig([backend.url]));

    const error = await inference.chat(hello).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceHttpError);
    expect(error).toMatchObject({ status: 400, retryable: false, attempts: 1 });
    expect((error as Error).message).toContain("maximum context length");
    expect(backend.received).toHaveLength(1);
  });

  it("retries a connection the server drops", async () => {
    const backend = await fake((_request, response, index) => {
      if (index === 0) {
        response.socket?.destroy();
        return;
      }
      sendJson(response, 200, completion("ok"));
    });
    const { client: inference } = client(testConfig([backend.url]));

    const result = await inference.chat(hello);

    expect(result).toMatchObject({ text: "ok", attempts: 2 });
  });

  it("gives up after maxRetries with the last error and the number of attempts", async () => {
    const backend = await fake((_request, response) => sendJson(response, 502, { error: { message: "bad gateway" } }));
    const { client: inference } = client(testConfig([backend.url], { maxRetries: 2 }));

    const error = await inference.chat(hello).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceHttpError);
    expect(error).toMatchObject({ status: 502, attempts: 3 });
    expect(backend.received).toHaveLength(3);
  });

  it("times out an attempt that hangs, and retries it", async () => {
    const backend = await fake((_request, response, index) => {
      if (index > 0) sendJson(response, 200, completion("late but fine"));
    });
    const { client: inference, registry } = client(testConfig([backend.url], { timeoutMs: 200 }));

    const result = await inference.chat(hello);

    expect(result).toMatchObject({ text: "late but fine", attempts: 2 });
    expect(
      await metricValue(registry, "inference_requests_total", {
        backend: backend.url,
        model: "test-model",
        outcome: "timeout",
      }),
    ).toBe(1);
  });

  it("fails with InferenceTimeoutError when every attempt hangs", async () => {
    const backend = await fake(() => {});
    const { client: inference } = client(testConfig([backend.url], { timeoutMs: 100, maxRetries: 1 }));

    const error = await inference.chat(hello).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceTimeoutError);
    expect(error).toMatchObject({ retryable: true, attempts: 2 });
  });

  it("aborts the HTTP request when the caller aborts, and does not retry", async () => {
    const backend = await fake(() => {});
    const { client: inference } = client(testConfig([backend.url]));
    const controller = new AbortController();

    const pending = inference.chat(hello, { signal: controller.signal }).catch((thrown: unknown) => thrown);
    await waitFor(() => (backend.inFlight === 1 ? true : undefined));
    controller.abort();
    const error = await pending;

    expect(error).toBeInstanceOf(InferenceAbortedError);
    await waitFor(() => (backend.aborted === 1 ? true : undefined));
    expect(backend.received).toHaveLength(1);
    expect(inference.backends()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("names the backend it could not reach", async () => {
    const closed = await fake(() => {});
    await closed.close();
    const { client: inference } = client(testConfig([closed.url], { maxRetries: 0 }));

    const error = await inference.chat(hello).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceConnectionError);
    expect((error as Error).message).toContain(closed.url);
  });
});
