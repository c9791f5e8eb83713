import { describe, expect, it } from "vitest";
import { Scheduler } from "../src/scheduler.ts";
import { clientFor, metric, scrape, start, userMessage } from "./support.ts";

describe("Scheduler", () => {
  it("admits up to maxNumSeqs, queues the rest in arrival order and hands freed slots over", async () => {
    const scheduler = new Scheduler(2);
    const never = new AbortController().signal;
    const order: number[] = [];

    const first = await scheduler.acquire(never);
    const second = await scheduler.acquire(never);
    const waiting = [3, 4, 5].map(async (n) => {
      const release = await scheduler.acquire(never);
      order.push(n);
      return release;
    });

    expect([scheduler.running, scheduler.waiting]).toEqual([2, 3]);
    first();
    first(); // releasing twice frees one slot only
    const third = await waiting[0];
    expect([scheduler.running, scheduler.waiting]).toEqual([2, 2]);
    second();
    third?.();
    for (const release of await Promise.all(waiting.slice(1))) release();

    expect(order).toEqual([3, 4, 5]);
    expect([scheduler.running, scheduler.waiting, scheduler.maxRunningObserved]).toEqual([0, 0, 2]);
  });

  it("drops an aborted waiter from the queue without giving it a slot", async () => {
    const scheduler = new Scheduler(1);
    const release = await scheduler.acquire(new AbortController().signal);
    const controller = new AbortController();

    const waiting = scheduler.acquire(controller.signal);
    controller.abort(new Error("client went away"));

    await expect(waiting).rejects.toThrow("client went away");
    expect(scheduler.waiting).toBe(0);
    release();
    expect(scheduler.running).toBe(0);
  });
});

describe("max_num_seqs over HTTP", () => {
  it("never runs more than max_num_seqs requests, and every waiting request completes", async () => {
    // Each request runs about 250 ms, so the queue lasts long enough to be seen even on a busy machine.
    const simulator = await start({ maxNumSeqs: 4, ttftMs: 50, tokensPerSecond: 40 });
    const client = clientFor(simulator);
    const samples: { running: number; waiting: number }[] = [];
    let done = false;

    const requests = Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        client.chat.completions.create({
          model: "devtools-simulator",
          messages: userMessage(`Summarise ticket ${index}`),
          max_tokens: 8,
        }),
      ),
    ).finally(() => {
      done = true;
    });
    while (!done) {
      const text = await scrape(simulator);
      samples.push({
        running: metric(text, "vllm:num_requests_running"),
        waiting: metric(text, "vllm:num_requests_waiting"),
      });
    }
    const answers = await requests;

    expect(answers).toHaveLength(30);
    expect(answers.every((answer) => answer.usage?.completion_tokens === 8)).toBe(true);
    expect(Math.max(...samples.map((sample) => sample.running))).toBeLessThanOrEqual(4);
    expect(samples.some((sample) => sample.running === 4 && sample.waiting > 0)).toBe(true);
    expect(simulator.stats()).toMatchObject({ maxRunningObserved: 4, running: 0, waiting: 0, finished: 30 });
    const after = await scrape(simulator);
    expect(metric(after, "vllm:num_requests_running")).toBe(0);
    expect(metric(after, "vllm:request_success_total", { finished_reason: "length" })).toBe(30);
  });

  it("holds streaming requests to the same limit", async () => {
    const simulator = await start({ maxNumSeqs: 2, tokensPerSecond: 500 });
    const client = clientFor(simulator);

    const streams = await Promise.all(
      Array.from({ length: 6 }, () =>
        client.chat.completions.create({
          model: "devtools-simulator",
          messages: userMessage("stream please"),
          max_tokens: 10,
          stream: true,
        }),
      ),
    );
    const texts = await Promise.all(
      streams.map(async (stream) => {
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      }),
    );

    expect(texts.every((text) => text.length > 0)).toBe(true);
    expect(simulator.stats().maxRunningObserved).toBe(2);
  });
});
