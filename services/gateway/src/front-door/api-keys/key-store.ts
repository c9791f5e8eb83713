import { randomUUID } from "node:crypto";
import type { Database } from "@devtools/db/client";
import { displayPrefix, generateApiKey, hashApiKey } from "./key-format.ts";

/** A key as lists show it: never the key, never its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What a request learns about the key it presented. */
export interface VerifiedApiKey {
  id: string;
  name: string;
  prefix: string;
}

/** Thrown when an active key already has the name. */
export class DuplicateKeyNameError extends Error {
  constructor(name: string) {
    super(`an active API key named "${name}" already exists; pick another name or revoke it first`);
    this.name = "DuplicateKeyNameError";
  }
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const UNIQUE_VIOLATION = "23505";

// Drivers may wrap the server's error; its PostgreSQL code is somewhere down the cause chain.
function isUniqueViolation(error: unknown): boolean {
  let cause: unknown = error;
  while (typeof cause === "object" && cause !== null) {
    if ((cause as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

// Timestamps as ISO text, which both drivers return alike.
const SUMMARY_COLUMNS = `id, name, prefix, to_json(created_at) #>> '{}' as created_at,
  to_json(last_used_at) #>> '{}' as last_used_at, to_json(revoked_at) #>> '{}' as revoked_at`;

interface SummaryRow {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toSummary = (row: SummaryRow): ApiKeySummary => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
});

/** The gateway's API keys in its database (table api_keys): create, list, revoke, and look one up by hash. */
export class ApiKeyStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Creates a key named `name`; the returned `key` is the only time it exists in clear. */
  async create(name: string): Promise<{ key: string; summary: ApiKeySummary }> {
    const key = generateApiKey();
    try {
      const [row] = await this.#database.query<SummaryRow>(
        `insert into api_keys (id, name, prefix, hash) values ($1, $2, $3, $4) returning ${SUMMARY_COLUMNS}`,
        [randomUUID(), name, displayPrefix(key), hashApiKey(key)],
      );
      return { key, summary: toSummary(row as SummaryRow) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyNameError(name);
      throw error;
    }
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.#database.query<SummaryRow>(
      `select ${SUMMARY_COLUMNS} from api_keys order by api_keys.created_at, id`,
      [],
    );
    return rows.map(toSummary);
  }

  /** The active keys that `reference` names: an id, a name or a display prefix. */
  async findActiveByReference(reference: string): Promise<ApiKeySummary[]> {
    const rows = UUID.test(reference)
      ? await this.#database.query<SummaryRow>(
          `select ${SUMMARY_COLUMNS} from api_keys where id = $1 and revoked_at is null`,
          [reference],
        )
      : await this.#database.query<SummaryRow>(
          `select ${SUMMARY_COLUMNS} from api_keys where (name = $1 or prefix = $1) and revoked_at is null`,
          [reference],
        );
    return rows.map(toSummary);
  }

  /** Revokes the key `id`; undefined when it does not exist or was already revoked. */
  async revoke(id: string): Promise<ApiKeySummary | undefined> {
    const [row] = await this.#database.query<SummaryRow>(
      `update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${SUMMARY_COLUMNS}`,
      [id],
    );
    return row && toSummary(row);
  }

  /** The active key whose hash is `hash`, if any. */
  async findActive(hash: string): Promise<VerifiedApiKey | undefined> {
    const [row] = await this.#database.query<VerifiedApiKey>(
      "select id, name, prefix from api_keys where hash = $1 and revoked_at is null",
      [hash],
    );
    return row;
  }

  /** Whether any key is active: without one, a refusal says how to create the first. */
  async hasActiveKeys(): Promise<boolean> {
    const rows = await this.#database.query("select 1 from api_keys where revoked_at is null limit 1", []);
    return rows.length > 0;
  }

  /** Records that the keys `ids` were used at `at` (never moving a later time back). */
  async markUsed(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.#database.query(
      `update api_keys set last_used_at = greatest(last_used_at, $2::timestamptz)
       where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
      [JSON.stringify(ids), at.toISOString()],
    );
  }
}
