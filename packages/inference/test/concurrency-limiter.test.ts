import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "../src/concurrency-limiter.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ConcurrencyLimiter", () => {
  it("grants up to the limit at once and queues the rest", async () => {
    const limiter = new ConcurrencyLimiter(2);

    await limiter.acquire();
    await limiter.acquire();
    let third = false;
    void limiter.acquire().then(() => {
      third = true;
    });
    await tick();

    expect({ inFlight: limiter.inFlight, queued: limiter.queued, third }).toEqual({
      inFlight: 2,
      queued: 1,
      third: false,
    });
    expect(limiter.load).toBe(1.5);
  });

  it("hands released slots to waiters in arrival order", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = await limiter.acquire();
    const granted: number[] = [];
    const waiters = [1, 2, 3].map((index) =>
      limiter.acquire().then((release) => {
        granted.push(index);
        return release;
      }),
    );

    first();
    (await waiters[0])?.();
    (await waiters[1])?.();
    (await waiters[2])?.();

    expect(granted).toEqual([1, 2, 3]);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.maxInFlight).toBe(1);
  });

  it("never lets a newcomer overtake the queue when a slot frees", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const release = await limiter.acquire();
    const order: string[] = [];
    const queued = limiter.acquire().then(() => order.push("queued"));

    release();
    const newcomer = limiter.acquire().then(() => order.push("newcomer"));
    await queued;

    expect(order).toEqual(["queued"]);
    expect(limiter.queued).toBe(1);
    void newcomer;
  });

  it("ignores a second release of the same slot", async () => {
    const limiter = new ConcurrencyLimiter(2);
    const release = await limiter.acquire();
    await limiter.acquire();

    release();
    release();

    expect(limiter.inFlight).toBe(1);
  });

  it("takes an aborted waiter out of the queue and rejects it with the signal's reason", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);

    controller.abort(new Error("caller gave up"));

    await expect(waiting).rejects.toThrow("caller gave up");
    expect(limiter.queued).toBe(0);
    release();
    expect(limiter.inFlight).toBe(0);
  });

  it("reports in-flight and queue changes as deltas, and each wait", async () => {
    const events: string[] = [];
    const limiter = new ConcurrencyLimiter(1, {
      inFlightChanged: (delta) => events.push(`inFlight ${delta}`),
      queueDepthChanged: (delta) => events.push(`queue ${delta}`),
      waited: (seconds) => events.push(seconds === 0 ? "no wait" : "waited"),
    });

    const release = await limiter.acquire();
    const next = limiter.acquire();
    release();
    (await next)();

    expect(events).toEqual(["inFlight 1", "no wait", "queue 1", "queue -1", "waited", "inFlight -1"]);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
