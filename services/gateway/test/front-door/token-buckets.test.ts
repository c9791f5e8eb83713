import { describe, expect, it } from "vitest";
import { TokenBuckets } from "../../src/front-door/rate-limit/token-buckets.ts";

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("token buckets", () => {
  it("allows a burst, then refuses until a token has refilled, saying when", () => {
    const time = clock();
    const buckets = new TokenBuckets({ perMinute: 60, burst: 3, now: time.now });
    expect([1, 2, 3].map(() => buckets.take("key").allowed)).toEqual([true, true, true]);
    const refused = buckets.take("key");
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 1, resetSeconds: 3 });
    time.advance(1_000);
    expect(buckets.take("key")).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("keeps one bucket per subject", () => {
    const buckets = new TokenBuckets({ perMinute: 60, burst: 1, now: clock().now });
    expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
    expect(buckets.take("b").allowed).toBe(true);
  });

  it("never refills above the burst, and forgets buckets that are full again", () => {
    const time = clock();
    const buckets = new TokenBuckets({ perMinute: 600, burst: 2, now: time.now });
    buckets.take("a");
    buckets.take("b");
    buckets.take("b");
    time.advance(100);
    buckets.sweep();
    expect(buckets.size).toBe(1);
    time.advance(60_000);
    expect(buckets.take("b")).toMatchObject({ allowed: true, remaining: 1 });
    time.advance(60_000);
    buckets.sweep();
    expect(buckets.size).toBe(0);
  });
});
