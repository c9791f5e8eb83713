import type { LinearActor } from "@devtools/contracts/linear";
import type { Query } from "@devtools/db/client";
import { newPkcePair, newState, sha256Hex } from "./pkce.ts";

const PROVIDER = "linear";

export interface PendingAuthorization {
  codeVerifier: string;
  redirectUri: string;
  scopes: string[];
  actor: LinearActor;
}

/** The authorizations in flight: single-use `state`s with an expiry, each with its PKCE verifier. */
export class OAuthStateStore {
  readonly #query: Query;
  readonly #ttlMs: number;

  constructor(query: Query, ttlSeconds: number) {
    this.#query = query;
    this.#ttlMs = ttlSeconds * 1_000;
  }

  /** Stores a new authorization; returns the `state` and PKCE challenge to send to Linear. */
  async begin(request: Omit<PendingAuthorization, "codeVerifier">): Promise<{ state: string; challenge: string }> {
    const state = newState();
    const { verifier, challenge } = newPkcePair();
    // Abandoned authorizations go as new ones come; none outlives its expiry by long.
    await this.#query("delete from oauth_states where expires_at < now()", []);
    await this.#query(
      `insert into oauth_states (state_hash, provider, code_verifier, redirect_uri, scopes, actor, expires_at)
       values ($1, $2, $3, $4, string_to_array($5, ','), $6, now() + $7::double precision * interval '1 millisecond')`,
      [sha256Hex(state), PROVIDER, verifier, request.redirectUri, request.scopes.join(","), request.actor, this.#ttlMs],
    );
    return { state, challenge };
  }

  /** Takes the authorization `state` names, once: undefined if unknown, used or expired. */
  async consume(state: string): Promise<PendingAuthorization | undefined> {
    const [row] = await this.#query<{
      code_verifier: string;
      redirect_uri: string;
      scopes: string;
      actor: string;
      live: boolean;
    }>(
      `delete from oauth_states where state_hash = $1 and provider = $2
       returning code_verifier, redirect_uri, array_to_string(scopes, ',') as scopes, actor, expires_at > now() as live`,
      [sha256Hex(state), PROVIDER],
    );
    if (!row?.live) return undefined;
    return {
      codeVerifier: row.code_verifier,
      redirectUri: row.redirect_uri,
      scopes: row.scopes.split(",").filter(Boolean),
      actor: row.actor === "app" ? "app" : "user",
    };
  }
}
