import type { LinearActor, LinearConnectionSummary } from "@devtools/contracts/linear";
import type { Query } from "@devtools/db/client";
import type { TokenCipher } from "./token-cipher.ts";

/** A stored connection as the gateway reads it; the tokens stay sealed until `tokensOf`. */
export interface LinearConnection {
  workspaceId: string;
  workspaceName: string;
  workspaceUrlKey: string | null;
  viewerId: string;
  actor: LinearActor;
  scopes: string[];
  accessTokenCiphertext: string | null;
  refreshTokenCiphertext: string | null;
  expiresAt: Date | null;
  tokenVersion: number;
  status: "connected" | "disconnected";
  disconnectedReason: string | null;
  connectedAt: Date;
}

interface ConnectionRow {
  workspace_id: string;
  workspace_name: string;
  workspace_url_key: string | null;
  viewer_id: string;
  actor: string;
  scopes: string;
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string | null;
  expires_ms: number | null;
  token_version: number;
  status: string;
  disconnected_reason: string | null;
  connected_ms: number;
}

// Moments as epoch milliseconds and scopes as text: both drivers read them alike.
const COLUMNS = `workspace_id, workspace_name, workspace_url_key, viewer_id, actor,
  array_to_string(scopes, ',') as scopes, access_token_ciphertext, refresh_token_ciphertext,
  (extract(epoch from expires_at) * 1000)::float8 as expires_ms, token_version, status, disconnected_reason,
  (extract(epoch from connected_at) * 1000)::float8 as connected_ms`;

const fromRow = (row: ConnectionRow): LinearConnection => ({
  workspaceId: row.workspace_id,
  workspaceName: row.workspace_name,
  workspaceUrlKey: row.workspace_url_key,
  viewerId: row.viewer_id,
  actor: row.actor === "app" ? "app" : "user",
  scopes: row.scopes.split(",").filter(Boolean),
  accessTokenCiphertext: row.access_token_ciphertext,
  refreshTokenCiphertext: row.refresh_token_ciphertext,
  expiresAt: row.expires_ms === null ? null : new Date(Number(row.expires_ms)),
  tokenVersion: Number(row.token_version),
  status: row.status === "connected" ? "connected" : "disconnected",
  disconnectedReason: row.disconnected_reason,
  connectedAt: new Date(Number(row.connected_ms)),
});

export interface LinearTokens {
  accessToken: string;
  /** Absent for tokens Linear issued without one (long-lived tokens of older apps). */
  refreshToken: string | null;
  expiresAt: Date | null;
}

export interface LinearWorkspace {
  id: string;
  name: string;
  urlKey: string | null;
  viewerId: string;
}

/** Thrown when tokens would be stored or read without TOKEN_ENCRYPTION_KEY. */
export class TokenEncryptionKeyMissing extends Error {
  constructor() {
    super("TOKEN_ENCRYPTION_KEY is not set: set it to 32 random bytes (base64 or hex) so Linear tokens can be stored");
    this.name = "TokenEncryptionKeyMissing";
  }
}

/** The connected Linear workspaces; tokens go in and come out through the cipher, never in clear. */
export class LinearConnectionStore {
  readonly #query: Query;
  readonly #cipher: TokenCipher | undefined;

  constructor(query: Query, cipher: TokenCipher | undefined) {
    this.#query = query;
    this.#cipher = cipher;
  }

  get canStoreTokens(): boolean {
    return this.#cipher !== undefined;
  }

  /** Saves a workspace's new connection, replacing an earlier one (reconnecting makes it the most recent). */
  async connect(
    workspace: LinearWorkspace,
    grant: { scopes: string[]; actor: LinearActor; tokens: LinearTokens },
  ): Promise<LinearConnection> {
    const sealed = this.#seal(workspace.id, grant.tokens);
    const [row] = await this.#query<ConnectionRow>(
      `insert into linear_connections as c (workspace_id, workspace_name, workspace_url_key, viewer_id, actor, scopes,
         access_token_ciphertext, refresh_token_ciphertext, expires_at, status, disconnected_reason, connected_at)
       values ($1, $2, $3, $4, $5, string_to_array($6, ','), $7, $8, $9::timestamptz, 'connected', null, now())
       on conflict (workspace_id) do update set workspace_name = excluded.workspace_name,
         workspace_url_key = excluded.workspace_url_key, viewer_id = excluded.viewer_id, actor = excluded.actor,
         scopes = excluded.scopes, access_token_ciphertext = excluded.access_token_ciphertext,
         refresh_token_ciphertext = excluded.refresh_token_ciphertext, expires_at = excluded.expires_at,
         status = 'connected', disconnected_reason = null, connected_at = now(), updated_at = now(),
         token_version = c.token_version + 1
       returning ${COLUMNS}`,
      [
        workspace.id,
        workspace.name,
        workspace.urlKey,
        workspace.viewerId,
        grant.actor,
        grant.scopes.join(","),
        sealed.access,
        sealed.refresh,
        sealed.expiresAt,
      ],
    );
    if (!row) throw new Error("saving the Linear connection returned no row");
    return fromRow(row);
  }

  async find(workspaceId: string): Promise<LinearConnection | undefined> {
    const [row] = await this.#query<ConnectionRow>(
      `select ${COLUMNS} from linear_connections where workspace_id = $1`,
      [workspaceId],
    );
    return row && fromRow(row);
  }

  /** The connection the operations use: `workspaceId`'s when given, else the most recently connected. */
  async current(workspaceId?: string): Promise<LinearConnection | undefined> {
    if (workspaceId) return this.find(workspaceId);
    const [row] = await this.#query<ConnectionRow>(
      `select ${COLUMNS} from linear_connections order by status = 'connected' desc, connected_at desc limit 1`,
      [],
    );
    return row && fromRow(row);
  }

  tokensOf(connection: LinearConnection): LinearTokens {
    if (!connection.accessTokenCiphertext) throw new Error(`Linear workspace ${connection.workspaceId} holds no token`);
    const cipher = this.#requireCipher();
    return {
      accessToken: cipher.decrypt(connection.accessTokenCiphertext, connection.workspaceId),
      refreshToken: connection.refreshTokenCiphertext
        ? cipher.decrypt(connection.refreshTokenCiphertext, connection.workspaceId)
        : null,
      expiresAt: connection.expiresAt,
    };
  }

  /**
   * Saves a refreshed pair over the pair of `expectedVersion` only: undefined when another caller
   * (or replica) saved one first, whose pair is then the one to use.
   */
  async replaceTokens(
    workspaceId: string,
    expectedVersion: number,
    tokens: LinearTokens,
  ): Promise<LinearConnection | undefined> {
    const sealed = this.#seal(workspaceId, tokens);
    const [row] = await this.#query<ConnectionRow>(
      `update linear_connections set access_token_ciphertext = $3, refresh_token_ciphertext = $4,
         expires_at = $5::timestamptz, token_version = token_version + 1, updated_at = now()
       where workspace_id = $1 and token_version = $2 and status = 'connected'
       returning ${COLUMNS}`,
      [workspaceId, expectedVersion, sealed.access, sealed.refresh, sealed.expiresAt],
    );
    return row && fromRow(row);
  }

  /** Forgets the tokens and keeps the workspace with the reason, so the status tells why it stopped. */
  async disconnect(workspaceId: string, reason: string): Promise<void> {
    await this.#query(
      `update linear_connections set status = 'disconnected', disconnected_reason = $2, access_token_ciphertext = null,
         refresh_token_ciphertext = null, expires_at = null, token_version = token_version + 1, updated_at = now()
       where workspace_id = $1`,
      [workspaceId, reason],
    );
  }

  async remove(workspaceId: string): Promise<void> {
    await this.#query("delete from linear_connections where workspace_id = $1", [workspaceId]);
  }

  #seal(workspaceId: string, tokens: LinearTokens) {
    const cipher = this.#requireCipher();
    return {
      access: cipher.encrypt(tokens.accessToken, workspaceId),
      refresh: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, workspaceId) : null,
      expiresAt: tokens.expiresAt?.toISOString() ?? null,
    };
  }

  #requireCipher(): TokenCipher {
    if (!this.#cipher) throw new TokenEncryptionKeyMissing();
    return this.#cipher;
  }
}

/** What the status route shows of a connection: never a token. */
export function summarizeConnection(row: LinearConnection): LinearConnectionSummary {
  return {
    workspace: { id: row.workspaceId, name: row.workspaceName, url_key: row.workspaceUrlKey },
    scopes: row.scopes,
    actor: row.actor,
    expires_at: row.expiresAt?.toISOString() ?? null,
    status: row.status,
    disconnected_reason: row.disconnectedReason,
    connected_at: row.connectedAt.toISOString(),
  };
}
