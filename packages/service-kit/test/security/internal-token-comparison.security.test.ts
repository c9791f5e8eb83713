import type * as Crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { buildTestApp, readProblem } from "../support.ts";

// Every constant-time comparison the middleware makes, with the lengths it compared.
const comparisons = vi.hoisted(() => [] as { left: number; right: number; equal: boolean }[]);
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  return {
    ...actual,
    timingSafeEqual: (left: NodeJS.ArrayBufferView, right: NodeJS.ArrayBufferView) => {
      const equal = actual.timingSafeEqual(left, right);
      comparisons.push({ left: left.byteLength, right: right.byteLength, equal });
      return equal;
    },
  };
});

const TOKEN = "the-internal-token-compared-in-constant-time";

describe("the internal token comparison", () => {
  it("goes through crypto.timingSafeEqual on equal-length digests, whatever the length presented", async () => {
    const app = buildTestApp({ internalToken: TOKEN });
    const presented = ["x", `${TOKEN.slice(0, -1)}y`, `${TOKEN}${"z".repeat(500)}`, TOKEN];
    const statuses: number[] = [];
    for (const candidate of presented) {
      const response = await app.request("/items/1", { headers: { authorization: `Bearer ${candidate}` } });
      statuses.push(response.status);
      if (response.status === 401) await readProblem(response);
    }
    expect(statuses).toEqual([401, 401, 401, 200]);
    // One comparison per request, never cut short by a length check that would leak the token's length.
    expect(comparisons).toEqual([
      { left: 32, right: 32, equal: false },
      { left: 32, right: 32, equal: false },
      { left: 32, right: 32, equal: false },
      { left: 32, right: 32, equal: true },
    ]);
  });
});
