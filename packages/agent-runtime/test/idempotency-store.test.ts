import { randomUUID } from "node:crypto";
import { ExecuteRequest, type ExecuteResult } from "@devtools/contracts/agent";
import { describe, expect, it } from "vitest";
import { fingerprintOf, MemoryIdempotencyStore } from "../src/idempotency-store.ts";
import { executeBody } from "./support/http.ts";

function result(content = "# Doc\n"): ExecuteResult {
  return {
    subtask_id: randomUUID(),
    agent_type: "documentation",
    summary: "Wrote 1 document.",
    artifacts: [{ path: "README.md", kind: "markdown", content }],
    output: { documents: [{ path: "README.md", content }] },
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    model: "m",
    repaired: false,
    replayed: false,
  };
}

describe("MemoryIdempotencyStore", () => {
  it("answers what was stored under a key", async () => {
    const store = new MemoryIdempotencyStore();
    const entry = { fingerprint: "f", result: result() };
    await store.set("k", entry);

    expect(await store.get("k")).toEqual(entry);
    expect(await store.get("other")).toBeUndefined();
  });

  it("forgets an entry once its time to live has passed", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1_000, now: () => now });
    await store.set("k", { fingerprint: "f", result: result() });

    now = 999;
    expect(await store.get("k")).toBeDefined();
    now = 1_000;
    expect(await store.get("k")).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it("evicts the least recently used entry beyond its entry limit", async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2 });
    await store.set("a", { fingerprint: "a", result: result() });
    await store.set("b", { fingerprint: "b", result: result() });
    await store.get("a");
    await store.set("c", { fingerprint: "c", result: result() });

    expect(await store.get("a")).toBeDefined();
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("c")).toBeDefined();
  });

  it("evicts the least recently used entries beyond its byte budget, and keeps nothing larger than the budget", async () => {
    const size = Buffer.byteLength(JSON.stringify(result("x".repeat(1_000))));
    const store = new MemoryIdempotencyStore({ maxBytes: size * 2 + 10 });
    await store.set("a", { fingerprint: "a", result: result("x".repeat(1_000)) });
    await store.set("b", { fingerprint: "b", result: result("y".repeat(1_000)) });
    await store.set("c", { fingerprint: "c", result: result("z".repeat(1_000)) });
    await store.set("huge", { fingerprint: "h", result: result("h".repeat(10_000)) });

    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toBeDefined();
    expect(await store.get("c")).toBeDefined();
    expect(await store.get("huge")).toBeUndefined();
  });
});

describe("fingerprintOf", () => {
  it("is the same for the same request and differs for another", () => {
    const body = ExecuteRequest.parse(executeBody());
    const reordered = ExecuteRequest.parse(Object.fromEntries(Object.entries(body).reverse()));

    expect(fingerprintOf(reordered)).toBe(fingerprintOf(body));
    expect(fingerprintOf({ ...body, description: `${body.description}!` })).not.toBe(fingerprintOf(body));
  });
});
