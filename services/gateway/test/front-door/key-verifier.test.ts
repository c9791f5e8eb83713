import { createLogger } from "@devtools/service-kit/logger";
import { afterEach, describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey } from "../../src/front-door/api-keys/key-format.ts";
import type { VerifiedApiKey } from "../../src/front-door/api-keys/key-store.ts";
import { ApiKeyVerifier, type KeyLookup } from "../../src/front-door/api-keys/key-verifier.ts";

/** A key table in memory that counts the lookups reaching it. */
class MemoryKeys implements KeyLookup {
  readonly active = new Map<string, VerifiedApiKey>();
  lookups = 0;
  used: string[][] = [];

  add(name: string): string {
    const key = generateApiKey();
    this.active.set(hashApiKey(key), { id: `id-${name}`, name, prefix: key.slice(0, 12) });
    return key;
  }

  async findActive(hash: string) {
    this.lookups += 1;
    return this.active.get(hash);
  }

  async hasActiveKeys() {
    return this.active.size > 0;
  }

  async markUsed(ids: readonly string[]) {
    this.used.push([...ids]);
  }
}

let now = 0;
const verifiers: ApiKeyVerifier[] = [];
function verifierOf(store: MemoryKeys): ApiKeyVerifier {
  const verifier = new ApiKeyVerifier({
    store,
    logger: createLogger("test", "silent"),
    cacheTtlMs: 1_000,
    lastUsedFlushMs: 60_000,
    now: () => now,
  });
  verifiers.push(verifier);
  return verifier;
}
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((verifier) => verifier.close()));
});

describe("the API key verifier", () => {
  it("asks the database once per key and TTL, however many requests present it", async () => {
    const store = new MemoryKeys();
    const key = store.add("ci");
    const verifier = verifierOf(store);
    const answers = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(key)));
    expect(answers.every((answer) => answer?.name === "ci")).toBe(true);
    expect(store.lookups).toBe(1);
    now += 1_001;
    await verifier.verify(key);
    expect(store.lookups).toBe(2);
  });

  it("stops accepting a revoked key once its cached answer expires", async () => {
    const store = new MemoryKeys();
    const key = store.add("laptop");
    const verifier = verifierOf(store);
    expect(await verifier.verify(key)).toBeDefined();
    store.active.clear();
    expect(await verifier.verify(key)).toBeDefined();
    now += 1_001;
    expect(await verifier.verify(key)).toBeUndefined();
  });

  it("refuses malformed keys without a lookup, and caches unknown ones", async () => {
    const store = new MemoryKeys();
    const verifier = verifierOf(store);
    expect(await verifier.verify("dtk_short")).toBeUndefined();
    expect(await verifier.verify("Bearer something")).toBeUndefined();
    expect(store.lookups).toBe(0);
    const unknown = generateApiKey();
    await verifier.verify(unknown);
    await verifier.verify(unknown);
    expect(store.lookups).toBe(1);
  });

  it("records last use in one batch per flush, not one write per request", async () => {
    const store = new MemoryKeys();
    const first = store.add("a");
    const second = store.add("b");
    const verifier = verifierOf(store);
    for (let i = 0; i < 10; i++) await Promise.all([verifier.verify(first), verifier.verify(second)]);
    expect(store.used).toEqual([]);
    await verifier.flushLastUsed();
    await verifier.flushLastUsed();
    expect(store.used).toEqual([["id-a", "id-b"]]);
  });
});
