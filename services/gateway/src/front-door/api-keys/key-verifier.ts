import type { Logger } from "@devtools/service-kit/logger";
import { hashApiKey, looksLikeApiKey } from "./key-format.ts";
import type { ApiKeyStore, VerifiedApiKey } from "./key-store.ts";

/** What the verifier needs of the key store. */
export type KeyLookup = Pick<ApiKeyStore, "findActive" | "hasActiveKeys" | "markUsed">;

export interface ApiKeyVerifierOptions {
  store: KeyLookup;
  logger: Logger;
  /** How long an answer from the database is trusted: the longest a revoked key keeps passing. */
  cacheTtlMs: number;
  /** How often last_used_at is written for the keys used since the last write. */
  lastUsedFlushMs: number;
  now?: () => number;
}

interface CachedAnswer {
  /** null: no active key has this hash. */
  key: VerifiedApiKey | null;
  expiresAt: number;
}

// Refusals are cached too, so that a client retrying a bad key does not reach the database each
// time. They are kept apart from good keys and bounded: a flood of random keys can neither grow
// memory without limit nor push the good keys out.
const MAX_CACHED_REFUSALS = 10_000;

/**
 * Verifies presented API keys without a database round trip per request: answers (good or bad)
 * are cached by hash for `cacheTtlMs`, concurrent lookups of one hash share one query, and
 * last_used_at is written in one batched update every `lastUsedFlushMs`.
 */
export class ApiKeyVerifier {
  readonly #store: KeyLookup;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #verified = new Map<string, CachedAnswer>();
  readonly #refused = new Map<string, CachedAnswer>();
  readonly #lookups = new Map<string, Promise<VerifiedApiKey | null>>();
  #anyKey: { exists: boolean; expiresAt: number } | undefined;
  #used = new Set<string>();
  readonly #flushTimer: NodeJS.Timeout;

  constructor(options: ApiKeyVerifierOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#ttlMs = options.cacheTtlMs;
    this.#now = options.now ?? Date.now;
    this.#flushTimer = setInterval(() => void this.flushLastUsed(), options.lastUsedFlushMs);
    this.#flushTimer.unref();
  }

  /** The active key `presented` is, or undefined when it is malformed, unknown or revoked. */
  async verify(presented: string): Promise<VerifiedApiKey | undefined> {
    if (!looksLikeApiKey(presented)) return undefined;
    const hash = hashApiKey(presented);
    const cached = this.#verified.get(hash) ?? this.#refused.get(hash);
    const key = cached && cached.expiresAt > this.#now() ? cached.key : await this.#lookUp(hash);
    if (key) this.#used.add(key.id);
    return key ?? undefined;
  }

  /** Whether any active key exists (cached like keys); a refusal uses it to say how to create one. */
  async anyKeyExists(): Promise<boolean> {
    if (this.#anyKey && this.#anyKey.expiresAt > this.#now()) return this.#anyKey.exists;
    const exists = await this.#store.hasActiveKeys();
    this.#anyKey = { exists, expiresAt: this.#now() + this.#ttlMs };
    return exists;
  }

  /** Writes last_used_at for the keys used since the last flush; a failure is logged and retried next time. */
  async flushLastUsed(): Promise<void> {
    if (this.#used.size === 0) return;
    const ids = [...this.#used];
    this.#used = new Set();
    try {
      await this.#store.markUsed(ids, new Date(this.#now()));
    } catch (error) {
      for (const id of ids) this.#used.add(id);
      this.#logger.warn({ err: error }, "could not record when API keys were last used; will retry");
    }
  }

  /** Stops the flush timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.#flushTimer);
    await this.flushLastUsed();
  }

  #lookUp(hash: string): Promise<VerifiedApiKey | null> {
    let lookup = this.#lookups.get(hash);
    if (!lookup) {
      lookup = this.#store
        .findActive(hash)
        .then((key) => {
          this.#remember(hash, key ?? null);
          return key ?? null;
        })
        .finally(() => this.#lookups.delete(hash));
      this.#lookups.set(hash, lookup);
    }
    return lookup;
  }

  #remember(hash: string, key: VerifiedApiKey | null): void {
    const answer = { key, expiresAt: this.#now() + this.#ttlMs };
    this.#verified.delete(hash);
    this.#refused.delete(hash);
    if (key) {
      this.#verified.set(hash, answer);
      return;
    }
    if (this.#refused.size >= MAX_CACHED_REFUSALS) {
      // Maps iterate in insertion order: the first entry is the oldest refusal.
      const oldest = this.#refused.keys().next().value;
      if (oldest !== undefined) this.#refused.delete(oldest);
    }
    this.#refused.set(hash, answer);
  }
}
