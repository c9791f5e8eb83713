import type { Logger } from "@devtools/service-kit/logger";
import type { LinearConnection, LinearConnectionStore } from "./connection-store.ts";

import { LinearApiError } from "./linear-graphql.ts";
import { type LinearOAuthClient, LinearOAuthError } from "./linear-oauth-client.ts";

/** No stored connection can be used and no LINEAR_API_KEY is set (or the connection was just lost). */
export class LinearNotConnected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinearNotConnected";
  }
}

/** An `Authorization` header value for Linear's API, and the stored token pair it came from. */
export interface LinearAuthorization {
  header: string;
  /** Undefined for the personal API key, which cannot be refreshed. */
  connection?: { workspaceId: string; version: number };
}

export interface LinearCredentialsOptions {
  store: LinearConnectionStore;
  /** Undefined without LINEAR_CLIENT_ID/SECRET: stored tokens are then used until they expire. */
  oauth: LinearOAuthClient | undefined;
  apiKey: string | undefined;
  /** LINEAR_WORKSPACE_ID: the workspace used when a caller names none. */
  pinnedWorkspaceId: string | undefined;
  /** Refresh when the access token has less left than this. */
  refreshMarginMs: number;
  logger: Logger;
}

/**
 * Hands out the credentials for Linear's API: the stored OAuth token of a workspace, refreshed before
 * it expires and once after Linear refuses it, or else the personal API key. One refresh per
 * workspace is in flight at a time in this process, and callers share it; across replicas the
 * token version makes a refresh save only over the pair it replaced.
 */
export class LinearCredentials {
  readonly #options: LinearCredentialsOptions;
  readonly #refreshing = new Map<string, Promise<LinearConnection>>();

  constructor(options: LinearCredentialsOptions) {
    this.#options = options;
  }

  /** Credentials for `workspaceId`, else for LINEAR_WORKSPACE_ID, else the most recently connected workspace. */
  async authorization(workspaceId?: string): Promise<LinearAuthorization> {
    const { store, apiKey, pinnedWorkspaceId, refreshMarginMs } = this.#options;
    let row = await store.current(workspaceId ?? pinnedWorkspaceId);
    if (row?.status !== "connected") {
      if (apiKey) return { header: apiKey };
      throw new LinearNotConnected(
        row
          ? `the Linear workspace ${row.workspaceName} is disconnected (${row.disconnectedReason}); connect it again at /oauth/linear/authorize`
          : "Linear is not connected: connect a workspace at /oauth/linear/authorize or set LINEAR_API_KEY",
      );
    }
    if (row.expiresAt && row.expiresAt.getTime() - Date.now() < refreshMarginMs) {
      row = await this.#refresh(row.workspaceId, row.tokenVersion);
    }
    return this.#authorizationOf(row);
  }

  /**
   * After Linear refused `used`: credentials from a refreshed pair (or from the refresh that another
   * caller already made), or undefined when there is nothing to refresh.
   */
  async afterRejection(used: LinearAuthorization): Promise<LinearAuthorization | undefined> {
    if (!used.connection) return undefined;
    return this.#authorizationOf(await this.#refresh(used.connection.workspaceId, used.connection.version));
  }

  #authorizationOf(row: LinearConnection): LinearAuthorization {
    const { accessToken } = this.#options.store.tokensOf(row);
    return { header: `Bearer ${accessToken}`, connection: { workspaceId: row.workspaceId, version: row.tokenVersion } };
  }

  #refresh(workspaceId: string, staleVersion: number): Promise<LinearConnection> {
    const running = this.#refreshing.get(workspaceId);
    if (running) return running;
    const refreshing = this.#refreshOnce(workspaceId, staleVersion).finally(() => this.#refreshing.delete(workspaceId));
    this.#refreshing.set(workspaceId, refreshing);
    return refreshing;
  }

  async #refreshOnce(workspaceId: string, staleVersion: number): Promise<LinearConnection> {
    const { store, oauth, logger } = this.#options;
    const row = await this.#connected(workspaceId);
    // Another caller or replica has already replaced the pair that was refused.
    if (row.tokenVersion !== staleVersion) return row;
    const { refreshToken } = store.tokensOf(row);
    if (!refreshToken || !oauth) {
      await this.#disconnect(workspaceId, "the access token expired or was refused and cannot be refreshed");
      throw new LinearNotConnected(`the Linear connection of ${row.workspaceName} has expired; connect it again`);
    }
    let granted: Awaited<ReturnType<LinearOAuthClient["refresh"]>>;
    try {
      granted = await oauth.refresh(refreshToken);
    } catch (error) {
      if (!(error instanceof LinearOAuthError) || error.code !== "invalid_grant") {
        throw new LinearApiError("refreshing the Linear token failed", { cause: error });
      }
      // A replica that refreshed first rotated the refresh token this one used.
      const now = await store.find(workspaceId);
      if (now?.status === "connected" && now.tokenVersion !== row.tokenVersion) return now;
      await this.#disconnect(workspaceId, error.message);
      throw new LinearNotConnected(
        `Linear refused to refresh the connection of ${row.workspaceName}; connect it again`,
      );
    }
    const saved = await store.replaceTokens(workspaceId, row.tokenVersion, {
      accessToken: granted.accessToken,
      refreshToken: granted.refreshToken ?? refreshToken,
      expiresAt: granted.expiresAt,
    });
    logger.info({ workspace_id: workspaceId, saved: saved !== undefined }, "Linear token refreshed");
    return saved ?? this.#connected(workspaceId);
  }

  async #connected(workspaceId: string): Promise<LinearConnection> {
    const row = await this.#options.store.find(workspaceId);
    if (row?.status !== "connected")
      throw new LinearNotConnected(`the Linear workspace ${workspaceId} is not connected`);
    return row;
  }

  async #disconnect(workspaceId: string, reason: string): Promise<void> {
    await this.#options.store.disconnect(workspaceId, reason);
    this.#options.logger.warn({ workspace_id: workspaceId, reason }, "Linear connection lost");
  }
}
