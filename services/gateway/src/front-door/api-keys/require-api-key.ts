import { HttpError } from "@devtools/service-kit/errors";
import type { Context, MiddlewareHandler } from "hono";
import type { VerifiedApiKey } from "./key-store.ts";
import type { ApiKeyVerifier } from "./key-verifier.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The API key the request was let in with; unset when GATEWAY_AUTH=off. */
    apiKey: VerifiedApiKey;
  }
}

/** How an operator makes the first key; what a refusal says when there is none. */
export const CREATE_KEY_COMMAND = "pnpm --filter @devtools/gateway admin create-key --name <name>";
const HOW_TO_SEND = "send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`";

/** The key the request presents: `X-API-Key`, else a bearer `Authorization`. */
function presentedKey(c: Context): string | undefined {
  const header = c.req.header("x-api-key")?.trim();
  if (header) return header;
  return /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
}

/** Refuses (401 problem+json) a request without an active API key; lets it through with `apiKey` set otherwise. */
export function requireApiKey(verifier: ApiKeyVerifier): MiddlewareHandler {
  return async function requireApiKey(c, next) {
    const presented = presentedKey(c);
    const key = presented === undefined ? undefined : await verifier.verify(presented);
    if (!key) {
      c.header("WWW-Authenticate", 'Bearer realm="devtools"');
      if (!(await verifier.anyKeyExists())) {
        throw new HttpError(
          "unauthorized",
          `no API key exists yet: create one with \`${CREATE_KEY_COMMAND}\` and ${HOW_TO_SEND} (or set GATEWAY_AUTH=off for local development)`,
        );
      }
      throw new HttpError(
        "unauthorized",
        presented === undefined
          ? `an API key is required: ${HOW_TO_SEND}`
          : "the API key is not valid: it is malformed, unknown or revoked",
      );
    }
    c.set("apiKey", key);
    return next();
  };
}
