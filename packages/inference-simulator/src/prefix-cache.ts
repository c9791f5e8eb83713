/** Mixes one 32-bit word into a hash lane (MurmurHash3's block step). */
function mix(hash: number, word: number, multiplier: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  const h = hash ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + multiplier) | 0;
}

/** Two independent 32-bit lanes over a string, the seed of a sequence's first block. */
function seedOf(salt: string): [number, number] {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  for (let index = 0; index < salt.length; index++) {
    a = mix(a, salt.charCodeAt(index), 0xe6546b64);
    b = mix(b, salt.charCodeAt(index), 0x38b34ae5);
  }
  return [a, b];
}

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
 * only matches when everything before it matches too. Blocks are kept in LRU order. The hash is a
 * fast, non-cryptographic 64-bit one (two 32-bit lanes), as with vLLM's
 * `--prefix-caching-hash-algo xxhash` (its default is SHA-256): the simulator names every prompt's
 * blocks on every request, and SHA-256 per block was a tenth of its CPU.
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
    // Each lane carries on from the previous block's hash: the chain.
    let [a, b] = seedOf(salt);
    for (let start = 0; start + blockSize <= tokens.length; start += blockSize) {
      for (let index = start; index < start + blockSize; index++) {
        const token = tokens[index] as number;
        // Ids reach 48 bits: both 32-bit halves go in.
        const low = token >>> 0;
        const high = Math.floor(token / 0x1_0000_0000);
        a = mix(mix(a, low, 0xe6546b64), high, 0xe6546b64);
        b = mix(mix(b, low, 0x38b34ae5), high, 0x38b34ae5);
      }
      hashes.push(`${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`);
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
