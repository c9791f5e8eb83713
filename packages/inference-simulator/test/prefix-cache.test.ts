import { describe, expect, it } from "vitest";
import { PrefixCache } from "../src/prefix-cache.ts";
import { clientFor, metric, scrape, start } from "./support.ts";

const tokens = (count: number, offset = 0) => Array.from({ length: count }, (_, index) => 1_000 + offset + index);
// As the engine uses it: a sequence's blocks named once, then looked up and inserted by name.
const insert = (cache: PrefixCache, sequence: number[], salt?: string) => cache.insert(cache.blocks(sequence, salt));
const lookup = (cache: PrefixCache, prompt: number[], salt?: string) =>
  cache.lookup(cache.blocks(prompt, salt), prompt.length);

describe("PrefixCache", () => {
  it("hits whole leading blocks only, never the last prompt token", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100, enabled: true });
    insert(cache, tokens(40));

    expect(lookup(cache, tokens(40))).toEqual({ queried: 40, hits: 32 });
    expect(lookup(cache, tokens(33))).toEqual({ queried: 33, hits: 32 });
    expect(lookup(cache, tokens(32))).toEqual({ queried: 32, hits: 16 });
    expect(lookup(cache, [...tokens(20), 7, ...tokens(20, 21)])).toEqual({ queried: 41, hits: 16 });
    expect(lookup(cache, tokens(40, 1))).toEqual({ queried: 40, hits: 0 });
  });

  it("names a prompt's blocks as the leading blocks of the whole sequence, so one naming serves both", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100, enabled: true });
    const sequence = cache.blocks([...tokens(40), ...tokens(30, 900)]);
    cache.insert(sequence);

    expect(sequence).toHaveLength(4);
    expect(sequence.slice(0, 2)).toEqual(cache.blocks(tokens(40)));
    expect(cache.lookup(sequence, 40)).toEqual({ queried: 40, hits: 32 });
    expect(lookup(cache, [...tokens(40), ...tokens(30, 900)])).toEqual({ queried: 70, hits: 64 });
  });

  it("keeps salted prompts apart and evicts the least recently used blocks", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 2, enabled: true });
    insert(cache, tokens(9), "tenant-a");

    expect(lookup(cache, tokens(9), "tenant-b").hits).toBe(0);
    expect(lookup(cache, tokens(9), "tenant-a").hits).toBe(8);
    insert(cache, tokens(9, 500));
    expect(cache.size).toBe(2);
    expect(lookup(cache, tokens(9), "tenant-a").hits).toBe(0);
  });

  it("counts no hits when prefix caching is disabled", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100, enabled: false });
    insert(cache, tokens(64));

    expect(lookup(cache, tokens(64))).toEqual({ queried: 64, hits: 0 });
  });
});

describe("prefix caching over HTTP", () => {
  // A long static system prompt first, the varying part last: how the inference client builds prompts.
  const system = `You are the code-review agent of devtools. ${"Follow the review checklist carefully. ".repeat(150)}`;
  const ask = (question: string) => [
    { role: "system" as const, content: system },
    { role: "user" as const, content: question },
  ];

  it("counts cache hits for a repeated prefix, reports cached_tokens and answers the second request sooner", async () => {
    // Slow prefill makes the saving visible: ~1000 prompt tokens cost ~100 ms uncached.
    const simulator = await start({ prefillTokensPerSecond: 10_000, ttftMs: 1 });
    const client = clientFor(simulator);
    const timeToFirstToken = async (question: string) => {
      const started = performance.now();
      const stream = await client.chat.completions.create({
        model: "devtools-simulator",
        messages: ask(question),
        max_tokens: 4,
        stream: true,
        stream_options: { include_usage: true },
      });
      let first: number | undefined;
      let cached: number | undefined;
      for await (const chunk of stream) {
        first ??= performance.now() - started;
        cached = chunk.usage?.prompt_tokens_details?.cached_tokens ?? cached;
      }
      return { first: first ?? Number.NaN, cached: cached ?? -1 };
    };

    const cold = await timeToFirstToken("Review src/a.ts");
    const before = await scrape(simulator);
    const warm = await timeToFirstToken("Review src/b.ts, please");
    const after = await scrape(simulator);

    expect(cold.cached).toBe(0);
    expect(warm.cached).toBeGreaterThan(900);
    expect(metric(before, "vllm:prefix_cache_hits_total")).toBe(0);
    expect(metric(after, "vllm:prefix_cache_hits_total")).toBe(warm.cached);
    expect(metric(after, "vllm:prefix_cache_queries_total")).toBeGreaterThan(2 * warm.cached);
    expect(warm.first).toBeLessThan(cold.first - 50);
    expect(simulator.stats().prefixCacheHits).toBe(warm.cached);
  });

  it("reports cached tokens in non-streaming usage and respects cache_salt", async () => {
    const simulator = await start();
    const client = clientFor(simulator);
    const request = { model: "devtools-simulator", messages: ask("Summarise"), max_tokens: 2 };

    await client.chat.completions.create(request);
    const repeated = await client.chat.completions.create(request);
    const salted = await client.chat.completions.create({ ...request, cache_salt: "tenant-42" } as typeof request);

    expect(repeated.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(900);
    expect(salted.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });
});
