import { describe, expect, it } from "vitest";
import { Backend, BackendPool, backendLabel } from "../src/backend-pool.ts";

function pool(limits: number[], cooldownMs = 1_000) {
  let now = 1_000_000;
  const backends = limits.map((limit, index) => new Backend(`http://gpu${index}:8000/v1`, limit, cooldownMs));
  return {
    backends,
    pool: new BackendPool(backends, () => now),
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe("BackendPool", () => {
  it("picks the backend least busy relative to its limit, the first listed on a tie", async () => {
    const { backends, pool: chooser } = pool([4, 2]);
    const [big, small] = backends;

    expect(chooser.pick()).toBe(big);
    await big?.limiter.acquire();
    expect(chooser.pick()).toBe(small);
    await small?.limiter.acquire();
    expect(chooser.pick()).toBe(big);
  });

  it("prefers a backend this call has not tried yet", () => {
    const { backends, pool: chooser } = pool([4, 4]);

    expect(chooser.pick(new Set([backends[0] as Backend]))).toBe(backends[1]);
    expect(chooser.hasUntried(new Set(backends))).toBe(false);
  });

  it("skips a failed backend during its cool-down, then lets one probe through", () => {
    const { backends, pool: chooser, advance, now } = pool([4, 4]);
    const [first, second] = backends as [Backend, Backend];

    first.failed(now());
    expect(first.state(now())).toBe("open");
    expect(chooser.pick()).toBe(second);

    advance(1_000);
    expect(first.state(now())).toBe("half-open");
    expect(chooser.pick()).toBe(first);
    // The probe is under way: nobody else goes there until it ends.
    expect(chooser.pick()).toBe(second);
    first.succeeded();
    expect(first.state(now())).toBe("closed");
  });

  it("opens the circuit again when the probe fails", () => {
    const { backends, advance, now } = pool([4]);
    const [only] = backends as [Backend];

    only.failed(now());
    advance(1_000);
    only.dispatched(now());
    only.failed(now());

    expect(only.state(now())).toBe("open");
  });

  it("frees the probe when the request says nothing about the backend", () => {
    const { backends, advance, now } = pool([4]);
    const [only] = backends as [Backend];
    only.failed(now());
    advance(1_000);
    only.dispatched(now());

    only.settled();

    expect(only.available(now())).toBe(true);
  });

  it("picks the backend that failed longest ago when all are down", () => {
    const { backends, pool: chooser, advance, now } = pool([4, 4, 4]);
    const [a, b, c] = backends as [Backend, Backend, Backend];
    b.failed(now());
    advance(10);
    a.failed(now());
    advance(10);
    c.failed(now());

    expect(chooser.pick()).toBe(b);
  });

  it("labels a backend by its URL without credentials", () => {
    expect(backendLabel("https://user:pass@gpu1:8000/v1/")).toBe("https://gpu1:8000/v1");
  });
});
