import { createHash } from "node:crypto";
import type { ExecuteRequest, ExecuteResult } from "@devtools/contracts/agent";

/** A finished execution as the store keeps it: the request's fingerprint and its result. */
export interface StoredExecution {
  fingerprint: string;
  result: ExecuteResult;
}

/**
 * Where finished executions are kept by idempotency key, so that a retried request gets the same
 * result without calling the model again. Keys are one agent's: a store shared by several agents
 * must scope them by agent type. Only successful results are stored; a failure leaves the key free.
 */
export interface IdempotencyStore {
  get(key: string): Promise<StoredExecution | undefined>;
  /** Stores or replaces the entry of `key`. */
  set(key: string, entry: StoredExecution): Promise<void>;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What makes two requests "the same" for idempotency: a hash of the validated request, key order aside. */
export function fingerprintOf(request: ExecuteRequest): string {
  return createHash("sha256").update(canonicalJson(request)).digest("base64url");
}

export interface MemoryIdempotencyStoreOptions {
  /** Most entries kept; the least recently used go first. Default 1000. */
  maxEntries?: number;
  /** Most bytes of results kept (measured as JSON text); the least recently used go first. Default 64 MiB. */
  maxBytes?: number;
  /** How long an entry answers after it was stored. Default 1 hour: the orchestrator retries within minutes. */
  ttlMs?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

interface MemoryEntry extends StoredExecution {
  expiresAt: number;
  bytes: number;
}

/**
 * The default store: this process's memory, bounded by entries and bytes (least recently used
 * evicted first) and by age. Enough for stateless agents whose caller retries within minutes and
 * usually reaches the same replica; a restart or a second replica forgets.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held now (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<StoredExecution | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#delete(key, entry);
    if (entry.expiresAt <= this.#now()) return undefined;
    // Map order is recency order: re-inserting makes it the most recently used.
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    return { fingerprint: entry.fingerprint, result: entry.result };
  }

  async set(key: string, { fingerprint, result }: StoredExecution): Promise<void> {
    const existing = this.#entries.get(key);
    if (existing) this.#delete(key, existing);
    const bytes = Buffer.byteLength(JSON.stringify(result));
    // A result larger than the whole budget would evict everything and still not fit.
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { fingerprint, result, bytes, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes;
    for (const [oldKey, oldEntry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#delete(oldKey, oldEntry);
    }
  }

  #delete(key: string, entry: MemoryEntry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
