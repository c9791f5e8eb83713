import { createHash, randomBytes } from "node:crypto";

/**
 * A small seeded PRNG (sfc32). Everything the simulator "samples" — prose, JSON documents, fault
 * decisions — draws from one of these so that the same seed and input give the same output.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  private constructor(state: Uint32Array) {
    this.#a = state[0] ?? 0;
    this.#b = state[1] ?? 0;
    this.#c = state[2] ?? 0;
    this.#d = state[3] ?? 1;
    // sfc32 needs a few rounds before its output stops echoing the seed.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A generator whose sequence is fixed by `parts` (hashed together, order matters). */
  static fromParts(...parts: readonly (string | number)[]): Rng {
    const hash = createHash("sha256");
    for (const part of parts) hash.update(`${String(part).length}:${part}|`);
    const digest = hash.digest();
    return new Rng(new Uint32Array(digest.buffer, digest.byteOffset, 4));
  }

  /** A generator seeded from the OS, for when nobody asked for determinism. */
  static unseeded(): Rng {
    const bytes = randomBytes(16);
    return new Rng(new Uint32Array(bytes.buffer, bytes.byteOffset, 4));
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** A uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("cannot pick from an empty list");
    return item;
  }

  /** A child generator, so that one consumer's draws do not shift another's. */
  fork(label: string): Rng {
    return Rng.fromParts(label, this.next(), this.next());
  }
}
