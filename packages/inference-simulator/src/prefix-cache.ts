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

  /**
   * Names every full block of a sequence (prompt then output), each hash chained to the one before,
   * once per request: the engine looks the prompt up and inserts prompt and output with the same
   * names, so no hashing is left for after the model's time has run out.
   */
  blocks(tokens: readonly number[], salt = ""): string[] {
    if (!this.#options.enabled) return [];
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

  /**
   * Counts how many leading tokens of a prompt of `promptTokens` tokens are cached, given the
   * sequence's `blocks`, and marks those blocks as used.
   */
  lookup(blocks: readonly string[], promptTokens: number): PrefixLookup {
    // Like vLLM, the last prompt token is always computed, so a fully cached prompt still leaves one.
    const candidates = Math.min(blocks.length, Math.floor(Math.max(0, promptTokens - 1) / this.#options.blockSize));
    let hitBlocks = 0;
    while (hitBlocks < candidates && this.#blocks.has(blocks[hitBlocks] as string)) {
      this.#touch(blocks[hitBlocks] as string);
      hitBlocks++;
    }
    return { queried: promptTokens, hits: hitBlocks * this.#options.blockSize };
  }

  /** Remembers `blocks` (vLLM caches prompt and output blocks alike), evicting the least recently used. */
  insert(blocks: readonly string[]): void {
    for (const hash of blocks) this.#touch(hash);
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
}
