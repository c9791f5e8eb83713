import { inspect } from "node:util";
import { waitFor } from "@devtools/testkit/poll";
import { afterEach, describe, expect, it } from "vitest";
import { InferenceAbortedError, InferenceHttpError } from "../src/errors.ts";
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

/** A backend that holds every chat request until `releaseAll` is called. */
async function gatedBackend() {
  const waiting: (() => void)[] = [];
  const backend = await fake((request, response) => {
    if (request.path.endsWith("/models")) return sendJson(response, 200, { data: [{ id: "test-model" }] });
    waiting.push(() => sendJson(response, 200, completion("done")));
  });
  return {
    backend,
    waiting,
    releaseAll: () => {
      for (const release of waiting.splice(0)) release();
    },
  };
}

describe("backends", () => {
  it("never has more requests in flight than the limit, and serves the queue in order", async () => {
    const { backend, waiting, releaseAll } = await gatedBackend();
    const config = testConfig([backend.url]);
    config.backends[0] = { url: backend.url, maxConcurrency: 3 };
    const { client: inference, registry } = client(config);
    const calls = Array.from({ length: 10 }, (_, index) =>
      inference.chat({ messages: [{ role: "user", content: `call ${index}` }] }),
    );
    await waitFor(() => (waiting.length === 3 ? true : undefined));
    expect(inference.backends()[0]).toMatchObject({ inFlight: 3, queued: 7 });
    expect(await metricValue(registry, "inference_queue_depth", { backend: backend.url })).toBe(7);
    expect(await metricValue(registry, "inference_in_flight", { backend: backend.url })).toBe(3);
    // One answer at a time, so that each freed slot admits exactly one queued call.
    for (let received = 3; received < 10; received += 1) {
      waiting.shift()?.();
      await waitFor(() => (backend.received.length === received + 1 ? true : undefined));
    }
    releaseAll();
    await Promise.all(calls);

    expect(backend.maxInFlight).toBe(3);
    expect(inference.backends()[0]).toMatchObject({ maxInFlight: 3, inFlight: 0, queued: 0 });
    const sent = backend.received.map((request) => (request.body.messages as { content: string }[])[0]?.content);
    expect(new Set(sent.slice(0, 3))).toEqual(new Set(["call 0", "call 1", "call 2"]));
    expect(sent.slice(3)).toEqual(["call 3", "call 4", "call 5", "call 6", "call 7", "call 8", "call 9"]);
    expect(await metricValue(registry, "inference_queue_depth", { backend: backend.url })).toBe(0);
    expect(await metricValue(registry, "inference_queue_wait_seconds", { backend: backend.url })).toBe(10);
  });

  it("takes a queued call out of the queue when its caller aborts", async () => {
    const { backend, waiting, releaseAll } = await gatedBackend();
    const config = testConfig([backend.url]);
    config.backends[0] = { url: backend.url, maxConcurrency: 1 };
    const { client: inference } = client(config);
    const controller = new AbortController();

    const running = inference.chat(hello);
    const queued = inference.chat(hello, { signal: controller.signal }).catch((thrown: unknown) => thrown);
    await waitFor(() => (waiting.length === 1 && inference.backends()[0]?.queued === 1 ? true : undefined));
    controller.abort();

    expect(await queued).toBeInstanceOf(InferenceAbortedError);
    expect(inference.backends()[0]).toMatchObject({ queued: 0, inFlight: 1 });
    releaseAll();
    await running;
    expect(backend.received).toHaveLength(1);
  });

  it("spreads calls over backends by how busy each is relative to its limit", async () => {
    const big = await gatedBackend();
    const small = await gatedBackend();
    const config = testConfig([big.backend.url, small.backend.url]);
    config.backends = [
      { url: big.backend.url, maxConcurrency: 4 },
      { url: small.backend.url, maxConcurrency: 2 },
    ];
    const { client: inference } = client(config);

    const calls = Array.from({ length: 6 }, () => inference.chat(hello));
    await waitFor(() => (big.waiting.length + small.waiting.length === 6 ? true : undefined));

    expect([big.waiting.length, small.waiting.length]).toEqual([4, 2]);
    big.releaseAll();
    small.releaseAll();
    await Promise.all(calls);
  });

  it("fails over to the next backend when one is down, and skips it while it cools down", async () => {
    const down = await fake(() => {});
    await down.close();
    const up = await fake(answering("from the second"));
    const { client: inference } = client(testConfig([down.url, up.url]), { cooldownMs: 60_000 });

    const first = await inference.chat(hello);
    const second = await inference.chat(hello);

    expect(first).toMatchObject({ text: "from the second", backend: up.url, attempts: 2 });
    expect(second).toMatchObject({ backend: up.url, attempts: 1 });
    expect(inference.backends().map((backend) => backend.state)).toEqual(["open", "closed"]);
  });

  it("probes a failed backend again after its cool-down and uses it once it answers", async () => {
    let healthy = false;
    const flaky = await fake((request, response) =>
      healthy ? answering("recovered")(request, response, 0) : sendJson(response, 500, { error: { message: "boom" } }),
    );
    const other = await fake(answering("other"));
    const { client: inference } = client(testConfig([flaky.url, other.url]), { cooldownMs: 100 });

    expect(await inference.chat(hello)).toMatchObject({ backend: other.url });
    healthy = true;
    await waitFor(() => (inference.backends()[0]?.state === "half-open" ? true : undefined));

    expect(await inference.chat(hello)).toMatchObject({ backend: flaky.url, text: "recovered" });
    expect(inference.backends()[0]?.state).toBe("closed");
  });

  it("still tries when every backend is marked down, starting with the one that failed longest ago", async () => {
    let calls = 0;
    const a = await fake((_request, response) => {
      calls += 1;
      if (calls <= 1) return sendJson(response, 503, { error: { message: "a down" } });
      sendJson(response, 200, completion("a is back"));
    });
    const b = await fake((_request, response) => sendJson(response, 503, { error: { message: "b down" } }));
    const { client: inference } = client(testConfig([a.url, b.url]), { cooldownMs: 60_000 });

    const result = await inference.chat(hello);

    expect(result).toMatchObject({ text: "a is back", backend: a.url, attempts: 3 });
    expect(b.received).toHaveLength(1);
  });

  it("moves a rate-limited call to another backend without waiting", async () => {
    const limited = await fake((_request, response) =>
      sendJson(response, 429, { error: { message: "busy" } }, { "retry-after": "30" }),
    );
    const free = await fake(answering("free"));
    const { client: inference } = client(testConfig([limited.url, free.url]));
    const started = performance.now();

    const result = await inference.chat(hello);

    expect(result).toMatchObject({ backend: free.url, attempts: 2 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(inference.backends()[0]?.state).toBe("closed");
  });

  it("is ready when one backend lists its models, and not when none does", async () => {
    const up = await fake(answering("x"));
    const down = await fake(() => {});
    await down.close();

    const { client: one } = client(testConfig([down.url, up.url]));
    const { client: none } = client(testConfig([down.url]));

    expect(await one.ready()).toBe(true);
    expect(await none.ready({ timeoutMs: 500 })).toBe(false);
  });
});

describe("secrets", () => {
  const apiKey = "sk-very-secret-key-12345";

  it("sends the API key as a bearer token and never puts it in an error", async () => {
    const backend = await fake((request, response) =>
      sendJson(response, 401, { error: { message: `invalid key ${request.headers.authorization}` } }),
    );
    const { client: inference } = client(testConfig([backend.url], { apiKey }));

    const error = await inference.chat(hello).catch((thrown: unknown) => thrown);

    expect(backend.received[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(error).toBeInstanceOf(InferenceHttpError);
    expect((error as Error).message).toContain("[redacted]");
    expect((error as Error).message).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });

  it("logs one warning per failed attempt, naming backend and outcome but never the key", async () => {
    const backend = await fake((request, response, index) =>
      index === 0
        ? sendJson(response, 503, { error: { message: `overloaded, ${request.headers.authorization}` } })
        : sendJson(response, 200, completion("ok")),
    );
    const lines: { level: string; details: object; message: string }[] = [];
    const record = (level: string) => (details: object, message: string) => lines.push({ level, details, message });
    const logger = { info: record("info"), warn: record("warn") };
    const { client: inference } = client(testConfig([backend.url], { apiKey }), { logger });

    await inference.chat(hello);

    expect(lines).toEqual([
      {
        level: "warn",
        message: "inference attempt failed",
        details: expect.objectContaining({
          backend: backend.url,
          outcome: "server_error",
          attempt: 1,
          circuit: "open",
        }),
      },
      { level: "info", message: "inference backend answers again", details: { backend: backend.url } },
    ]);
    expect(JSON.stringify(lines)).not.toContain(apiKey);
  });

  it("keeps the key out of the client's inspectable state", () => {
    const { client: inference } = client(testConfig(["http://127.0.0.1:9/v1"], { apiKey }));

    expect(inspect(inference, { depth: 10 })).not.toContain(apiKey);
    expect(JSON.stringify(inference.backends())).not.toContain(apiKey);
  });
});
