import { APIConnectionError, APIConnectionTimeoutError, InternalServerError, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/server.ts";
import { clientFor, metric, post, scrape, start, userMessage, waitFor } from "./support.ts";

const running = async (simulator: RunningSimulator) => metric(await scrape(simulator), "vllm:num_requests_running");

describe("fault injection", () => {
  it("answers every request with a vLLM-shaped 5xx at error-rate 1", async () => {
    const simulator = await start({ errorRate: 1, errorStatusCodes: [500, 503], faultSeed: 1 });

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(simulator, "/v1/chat/completions", { messages: userMessage("hi") })),
    );

    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([500, 503]));
    for (const answer of answers) {
      expect(answer.headers.get("x-inference-simulator")).toBe("devtools");
      expect(answer.body).toEqual({
        error: {
          message: expect.stringContaining("simulated fault"),
          type: expect.any(String),
          param: null,
          code: answer.status,
        },
      });
    }
    await expect(
      clientFor(simulator).chat.completions.create({ model: "devtools-simulator", messages: userMessage("hi") }),
    ).rejects.toSatisfy((error) => error instanceof InternalServerError);
    expect(metric(await scrape(simulator), "devtools_simulator_faults_injected_total", { kind: "error" })).toBe(9);
  });

  it("answers 429 when configured to, which the client sees as a rate limit", async () => {
    const simulator = await start({ errorRate: 1, errorStatusCodes: [429] });

    await expect(
      clientFor(simulator).chat.completions.create({ model: "devtools-simulator", messages: userMessage("hi") }),
    ).rejects.toBeInstanceOf(RateLimitError);
  });

  it("makes the same fault decisions for the same fault seed", async () => {
    const statuses = async () => {
      const simulator = await start({ errorRate: 0.5, faultSeed: 7 });
      const seen: number[] = [];
      for (let i = 0; i < 16; i++)
        seen.push((await post(simulator, "/v1/completions", { prompt: "x", max_tokens: 1 })).status);
      return seen;
    };

    const first = await statuses();

    expect(await statuses()).toEqual(first);
    expect(first).toContain(200);
    expect(first.some((status) => status >= 500)).toBe(true);
  });

  it("drops a stream mid-way: the openai client gets chunks, then throws, and the slot is freed", async () => {
    const simulator = await start({ tokensPerSecond: 1_000 });
    const stream = await clientFor(simulator).chat.completions.create(
      { model: "devtools-simulator", messages: userMessage("Tell a long story"), max_tokens: 200, stream: true },
      { headers: { "x-simulator-fault": "drop:0.5" } },
    );

    let chunks = 0;
    const consume = async () => {
      for await (const _chunk of stream) chunks++;
    };

    await expect(consume()).rejects.toThrow();
    expect(chunks).toBeGreaterThan(2);
    await waitFor(async () => ((await running(simulator)) === 0 ? true : undefined), { what: "the slot to be freed" });
    expect(simulator.stats()).toMatchObject({ aborted: 1, finished: 0 });
  });

  it("drops every connection at drop-rate 1, streaming or not", async () => {
    const simulator = await start({ dropRate: 1, faultSeed: 3 });
    const client = clientFor(simulator);

    await expect(
      client.chat.completions.create({ model: "devtools-simulator", messages: userMessage("hi"), max_tokens: 50 }),
    ).rejects.toBeInstanceOf(APIConnectionError);
    const consume = async () => {
      const stream = await client.chat.completions.create({
        model: "devtools-simulator",
        messages: userMessage("hi"),
        max_tokens: 50,
        stream: true,
      });
      for await (const _chunk of stream);
    };
    await expect(consume()).rejects.toThrow();
    expect((await fetch(simulator.url.replace(/\/v1$/, "/health"))).status).toBe(200);
  });

  it("hangs until the client's timeout cuts the request", async () => {
    const simulator = await start({ hangRate: 1 });
    const started = performance.now();

    await expect(
      clientFor(simulator, { timeout: 300 }).chat.completions.create({
        model: "devtools-simulator",
        messages: userMessage("hi"),
      }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(simulator.stats().running).toBe(0);
  });

  it("adds slow-ms before the first token at slow-rate 1", async () => {
    const simulator = await start({ slowRate: 1, slowMs: 250 });
    const started = performance.now();

    await clientFor(simulator).chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("hi"),
      max_tokens: 2,
    });

    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe("aborts and shutdown", () => {
  it("frees the slot of a running request and drops a waiting one from the queue", async () => {
    // 1 token/s: the first request would run for minutes unless the abort stops it.
    const simulator = await start({ maxNumSeqs: 1, tokensPerSecond: 1 });
    const client = clientFor(simulator);
    const runningAbort = new AbortController();
    const waitingAbort = new AbortController();
    const body = {
      model: "devtools-simulator",
      messages: userMessage("long answer"),
      max_tokens: 500,
      stream: true as const,
    };

    // Like vLLM, a stream's headers are out at once; the abort ends the body being read (the
    // openai client then ends the iteration quietly).
    // A request aborted before its headers arrive rejects instead, which is just as good here.
    const consume = async (signal: AbortSignal) => {
      try {
        const stream = await client.chat.completions.create(body, { signal });
        for await (const _chunk of stream);
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    };

    const first = consume(runningAbort.signal);
    await waitFor(() => (simulator.stats().running === 1 ? true : undefined), { what: "the first request to run" });
    const second = consume(waitingAbort.signal);
    await waitFor(() => (simulator.stats().waiting === 1 ? true : undefined), { what: "the second request to queue" });

    waitingAbort.abort();
    await second;
    await waitFor(() => (simulator.stats().waiting === 0 ? true : undefined), { what: "the queue to empty" });
    expect(simulator.stats().running).toBe(1);

    runningAbort.abort();
    await first;
    await waitFor(async () => ((await running(simulator)) === 0 ? true : undefined), {
      what: "the running gauge to return to 0",
    });

    const text = await scrape(simulator);
    expect(metric(text, "vllm:num_requests_waiting")).toBe(0);
    expect(metric(text, "vllm:request_success_total", { finished_reason: "abort" })).toBe(2);
    expect(simulator.stats()).toMatchObject({ aborted: 2, finished: 0 });
  });

  it("closes promptly with requests running, waiting and hung, ending each of them", async () => {
    const simulator = await startSimulator({ maxNumSeqs: 1, tokensPerSecond: 1 });
    const client = clientFor(simulator);
    const body = { model: "devtools-simulator", messages: userMessage("forever"), max_tokens: 1000 };

    const outcomes = [
      client.chat.completions.create(body),
      client.chat.completions.create(body),
      client.chat.completions.create(body, { headers: { "x-simulator-fault": "hang" } }),
    ].map((request) =>
      request.then(
        () => "answered",
        () => "failed",
      ),
    );
    await waitFor(() => (simulator.stats().waiting === 1 ? true : undefined), { what: "one running, one waiting" });
    await simulator.close();

    expect(await Promise.all(outcomes)).toEqual(["failed", "failed", "failed"]);
    expect(simulator.stats()).toMatchObject({ running: 0, waiting: 0 });
  });
});
