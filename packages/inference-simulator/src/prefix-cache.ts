import { createHash } from "node:crypto";

export interface PrefixCacheOptions {
  /** Tokens per KV block (vLLM's --block-size, 16 by default). Only full blocks are cached. */
  blockSize: number;
  /** How many blocks the cache keeps before evicting the least recently used one. */
  capacityBlocks: number;
  enabled: boolean;
}

export interface PrefixLookup {
  /** Prompt tokens looked up (vLLM counts every prompt token as queried). */
  queried: number;
  /** Leading prompt tokens already in the cache; prefill skips them. */
  hits: number;
}

/**
 * vLLM's automatic prefix caching, reduced to its bookkeeping: each full block is named by a hash
 * of its tokens chained to the previous block's hash (and the request's cache_salt), so a block
 * only matches when everything before it matches too. Blocks are kept in LRU order.
 */
export class PrefixCache {
  readonly #options: PrefixCacheOptions;
  // Map iteration order is insertion order: re-inserting on use keeps the LRU block first.
  readonly #blocks = new Map<string, true>();

  constructor(options: PrefixCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#blocks.size;
  }

  /** Counts how many leading tokens of `tokens` are cached, and marks those blocks as used. */
  lookup(tokens: readonly number[], salt?: string): PrefixLookup {
    if (!this.#options.enabled) return { queried: tokens.length, hits: 0 };
    // Like vLLM, the last prompt token is always computed, so a fully cached prompt still leaves one.
    const hashes = this.#blockHashes(tokens.slice(0, Math.max(0, tokens.length - 1)), salt);
    let hitBlocks = 0;
    for (const hash of hashes) {
      if (!this.#blocks.has(hash)) break;
      this.#touch(hash);
      hitBlocks++;
    }
    return { queried: tokens.length, hits: hitBlocks * this.#options.blockSize };
  }

  /** Remembers every full block of `tokens` (prompt plus output, as vLLM caches both). */
  insert(tokens: readonly number[], salt?: string): void {
    if (!this.#options.enabled) return;
    for (const hash of this.#blockHashes(tokens, salt)) this.#touch(hash);
    while (this.#blocks.size > this.#options.capacityBlocks) {
      const oldest = this.#blocks.keys().next();
      if (oldest.done) break;
      this.#blocks.delete(oldest.value);
    }
  }

  #touch(hash: string): void {
    this.#blocks.delete(hash);
    this.#blocks.set(hash, true);
  }

  #blockHashes(tokens: readonly number[], salt = ""): string[] {
    const { blockSize } = this.#options;
    const hashes: string[] = [];
    let parent = `salt:${salt}`;
    for (let start = 0; start + blockSize <= tokens.length; start += blockSize) {
      parent = createHash("sha256")
        .update(parent)
        .update(tokens.slice(start, start + blockSize).join(","))
        .digest("base64url");
      hashes.push(parent);
    }
    return hashes;
  }
}
