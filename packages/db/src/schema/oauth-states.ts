import { index, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, moment } from "./columns.ts";

/**
 * A pending OAuth authorization: the `state` sent to the provider (stored as its SHA-256, so the
 * table alone cannot complete a flow), the PKCE verifier, and what was asked for. Deleted when the
 * callback consumes it, which makes each state single-use.
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    stateHash: text("state_hash").primaryKey(),
    provider: text("provider").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    scopes: text("scopes").array().notNull(),
    actor: text("actor").notNull(),
    expiresAt: moment("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (table) => [index("oauth_states_expires_idx").on(table.expiresAt)],
);

export type OAuthStateRow = typeof oauthStates.$inferSelect;
