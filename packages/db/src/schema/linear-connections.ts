import { sql } from "drizzle-orm";
import { check, integer, pgTable, text } from "drizzle-orm/pg-core";
import { moment, oneOf, updatedAt } from "./columns.ts";

/**
 * One Linear workspace connected through OAuth. Tokens are stored only as AES-256-GCM ciphertext;
 * `token_version` grows with each saved token pair, so a refresh saves its pair only over the one it
 * replaced (a compare-and-set) and a replica that lost the race reads the winner's pair instead.
 */
export const linearConnections = pgTable(
  "linear_connections",
  {
    workspaceId: text("workspace_id").primaryKey(),
    workspaceName: text("workspace_name").notNull(),
    workspaceUrlKey: text("workspace_url_key"),
    /** The Linear user the token acts as (the app user in agent mode). */
    viewerId: text("viewer_id").notNull(),
    actor: text("actor", { enum: ["user", "app"] }).notNull(),
    scopes: text("scopes").array().notNull(),
    accessTokenCiphertext: text("access_token_ciphertext"),
    refreshTokenCiphertext: text("refresh_token_ciphertext"),
    expiresAt: moment("expires_at"),
    tokenVersion: integer("token_version").notNull().default(1),
    status: text("status", { enum: ["connected", "disconnected"] })
      .notNull()
      .default("connected"),
    disconnectedReason: text("disconnected_reason"),
    connectedAt: moment("connected_at").notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (table) => [
    check("linear_connections_status_check", oneOf(table.status, ["connected", "disconnected"])),
    check("linear_connections_actor_check", oneOf(table.actor, ["user", "app"])),
    // A connected workspace always has a token to use.
    check(
      "linear_connections_token_check",
      sql`${table.status} <> 'connected' or ${table.accessTokenCiphertext} is not null`,
    ),
  ],
);

export type LinearConnectionRow = typeof linearConnections.$inferSelect;
