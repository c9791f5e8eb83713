import { z } from "zod";
import type { LinearTokens } from "./connection-store.ts";

/** An OAuth error from Linear's token or revoke endpoint (`invalid_grant`…), or an unreachable endpoint. */
export class LinearOAuthError extends Error {
  /** The OAuth `error` code, or `unreachable` / `invalid_response`. */
  readonly code: string;

  constructor(code: string, description: string, options?: { cause?: unknown }) {
    super(`${code}: ${description}`, options);
    this.name = "LinearOAuthError";
    this.code = code;
  }
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});

const OAuthErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

export interface LinearOAuthClientOptions {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  revokeUrl: string;
  timeoutMs?: number;
}

export interface GrantedTokens extends LinearTokens {
  /** The scopes Linear granted, when it says. */
  scopes: string[] | undefined;
}

/** Linear's OAuth token endpoint (code exchange, refresh) and revoke endpoint, form-encoded. */
export class LinearOAuthClient {
  readonly #options: LinearOAuthClientOptions;

  constructor(options: LinearOAuthClientOptions) {
    this.#options = options;
  }

  exchangeCode(code: string, redirectUri: string, codeVerifier: string): Promise<GrantedTokens> {
    return this.#token({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    });
  }

  /** Rotates: the answer carries a new refresh token and the old one stops working. */
  refresh(refreshToken: string): Promise<GrantedTokens> {
    return this.#token({ grant_type: "refresh_token", refresh_token: refreshToken });
  }

  /** Revokes one token (RFC 7009); a token Linear no longer knows counts as revoked. */
  async revoke(token: string, hint: "access_token" | "refresh_token"): Promise<void> {
    const response = await this.#post(this.#options.revokeUrl, { token, token_type_hint: hint });
    if (response.ok) return;
    const body = OAuthErrorBody.safeParse(await response.json().catch(() => null));
    if (body.success && (body.data.error === "invalid_token" || body.data.error === "invalid_grant")) return;
    throw new LinearOAuthError(
      body.success ? body.data.error : "revoke_failed",
      body.success ? (body.data.error_description ?? "") : `revoke endpoint answered ${response.status}`,
    );
  }

  async #token(form: Record<string, string>): Promise<GrantedTokens> {
    const response = await this.#post(this.#options.tokenUrl, form);
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const body = OAuthErrorBody.safeParse(json);
      if (body.success) throw new LinearOAuthError(body.data.error, body.data.error_description ?? "");
      throw new LinearOAuthError("invalid_response", `token endpoint answered ${response.status}`);
    }
    const parsed = TokenResponse.safeParse(json);
    if (!parsed.success)
      throw new LinearOAuthError("invalid_response", "token endpoint answered without an access_token");
    const { access_token, refresh_token, expires_in, scope } = parsed.data;
    return {
      accessToken: access_token,
      refreshToken: refresh_token ?? null,
      expiresAt: expires_in ? new Date(Date.now() + expires_in * 1_000) : null,
      scopes: typeof scope === "string" ? scope.split(/[ ,]+/).filter(Boolean) : scope,
    };
  }

  async #post(url: string, form: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          ...form,
          client_id: this.#options.clientId,
          client_secret: this.#options.clientSecret,
        }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new LinearOAuthError("unreachable", `${new URL(url).origin} did not answer`, { cause: error });
    }
  }
}
