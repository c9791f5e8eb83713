import { sql } from "drizzle-orm";
import { pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, moment } from "./columns.ts";

/**
 * The gateway's API keys. Only a SHA-256 hash of each key is kept: keys are long random strings, so
 * a fast hash is as good as a slow one and lets a request find its key by lookup. The prefix (the
 * key's first characters) is what lists and logs show, so that people can tell keys apart.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    name: text("name").notNull(),
    /** The key's first characters (`dtk_` and a few more), safe to show. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key. */
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    /** Updated in batches, not on every request, so it may lag by the gateway's flush interval. */
    lastUsedAt: moment("last_used_at"),
    revokedAt: moment("revoked_at"),
  },
  (table) => [
    uniqueIndex("api_keys_hash_idx").on(table.hash),
    // A name picks one key to revoke; revoked keys free their names.
    uniqueIndex("api_keys_active_name_idx").on(table.name).where(sql`${table.revokedAt} is null`),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
