import { waitFor } from "@devtools/testkit/poll";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatStreamEvent } from "../src/client.ts";
import { InferenceAbortedError, InferenceConnectionError, InferenceTimeoutError } from "../src/errors.ts";
import { type FakeBackend, openEventStream, sendJson, startFakeBackend } from "./fake-backend.ts";
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

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const seen: ChatStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe("stream", () => {
  it("yields the deltas, then the whole text with the usage it asked for", async () => {
    const backend = await fake((_request, response) => {
      const stream = openEventStream(response);
      stream.delta("Hel");
      stream.delta("lo");
      stream.finish({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    });
    const { client: inference, registry } = client(testConfig([backend.url]));

    const events = await collect(inference.stream(hello));

    expect(events).toEqual([
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      {
        type: "done",
        result: {
          text: "Hello",
          finishReason: "stop",
          usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7, cachedPromptTokens: undefined },
          model: "test-model",
          backend: backend.url,
          attempts: 1,
        },
      },
    ]);
    expect(backend.received[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const labels = { backend: backend.url, model: "test-model" };
    expect(await metricValue(registry, "inference_tokens_total", { ...labels, kind: "completion" })).toBe(2);
    expect(inference.backends()[0]).toMatchObject({ inFlight: 0 });
  });

  it("retries a failure that comes before the first delta", async () => {
    const backend = await fake((_request, response, index) => {
      if (index === 0) return sendJson(response, 503, { error: { message: "busy" } });
      const stream = openEventStream(response);
      stream.delta("ok");
      stream.finish();
    });
    const { client: inference } = client(testConfig([backend.url]));

    const events = await collect(inference.stream(hello));

    expect(events.at(-1)).toMatchObject({ type: "done", result: { text: "ok", attempts: 2 } });
  });

  it("ends with the error, without retrying, when the connection breaks after a delta", async () => {
    const backend = await fake((_request, response) => {
      const stream = openEventStream(response);
      stream.delta("partial");
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const { client: inference } = client(testConfig([backend.url]));
    const seen: ChatStreamEvent[] = [];

    const error = await (async () => {
      for await (const event of inference.stream(hello)) seen.push(event);
    })().catch((thrown: unknown) => thrown);

    expect(seen).toEqual([{ type: "delta", text: "partial" }]);
    expect(error).toBeInstanceOf(InferenceConnectionError);
    expect(backend.received).toHaveLength(1);
  });

  it("times out a stream that falls silent, however long it has been running", async () => {
    const backend = await fake((_request, response) => {
      const stream = openEventStream(response);
      // A chunk every 20 ms for 600 ms (well past the timeout), then silence.
      const timer = setInterval(() => stream.delta("."), 20);
      setTimeout(() => clearInterval(timer), 600);
      response.on("close", () => clearInterval(timer));
    });
    const { client: inference } = client(testConfig([backend.url], { timeoutMs: 250, maxRetries: 0 }));
    const started = performance.now();

    const error = await (async () => {
      for await (const _event of inference.stream(hello));
    })().catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
  });

  it("ends with InferenceAbortedError and aborts the request when the caller aborts mid-stream", async () => {
    const backend = await fake((_request, response) => {
      openEventStream(response).delta("first");
    });
    const { client: inference } = client(testConfig([backend.url]));
    const controller = new AbortController();

    const error = await (async () => {
      for await (const event of inference.stream(hello, { signal: controller.signal })) {
        if (event.type === "delta") controller.abort();
      }
    })().catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InferenceAbortedError);
    await waitFor(() => (backend.aborted === 1 ? true : undefined));
    expect(backend.received).toHaveLength(1);
  });

  it("aborts the HTTP request and frees the slot when the consumer stops reading", async () => {
    const backend = await fake((_request, response) => {
      const stream = openEventStream(response);
      stream.delta("first");
    });
    const { client: inference } = client(testConfig([backend.url]));

    for await (const event of inference.stream(hello)) {
      expect(event).toEqual({ type: "delta", text: "first" });
      break;
    }

    await waitFor(() => (backend.aborted === 1 ? true : undefined));
    expect(inference.backends()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });
});
