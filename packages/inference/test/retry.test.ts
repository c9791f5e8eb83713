import { describe, expect, it } from "vitest";
import { backoffDelayMs, retryAfterMs, retryDelayMs, sleep } from "../src/retry.ts";

const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe("backoff", () => {
  it("draws uniformly below a ceiling that doubles per retry, up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 0.999_999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it("prefers the server's Retry-After, capped", () => {
    expect(retryDelayMs(1, 700, policy, () => 0)).toBe(700);
    expect(retryDelayMs(1, 60_000, policy, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, undefined, policy, () => 0.5)).toBe(50);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads seconds, HTTP dates and OpenAI's retry-after-ms", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Tue, 31 Dec 2024 23:00:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "150", "retry-after": "9" }), now)).toBe(150);
  });

  it("ignores an absent or unreadable value", () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe("sleep", () => {
  it("rejects with the signal's reason as soon as it aborts", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const sleeping = sleep(10_000, controller.signal);

    controller.abort(new Error("stop"));

    await expect(sleeping).rejects.toThrow("stop");
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
