import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { secureHeaders } from "hono/secure-headers";
import type { GatewayDependencies } from "../app.ts";
import { ApiKeyStore } from "./api-keys/key-store.ts";
import { ApiKeyVerifier } from "./api-keys/key-verifier.ts";
import { requireApiKey } from "./api-keys/require-api-key.ts";
import { clientAddress } from "./client-address.ts";
import { corsForOrigins } from "./cors.ts";
import { createApiProxy } from "./proxy/api-proxy.ts";
import { rateLimit } from "./rate-limit/rate-limit.ts";
import { TokenBuckets } from "./rate-limit/token-buckets.ts";

const SWEEP_BUCKETS_MS = 60_000;

/**
 * Mounts the front door, before every other concern: secure headers and CORS on everything after
 * it; API keys and rate limits on `/api/*`, `/mcp` and `POST /oauth/linear/revoke`; and the `/api`
 * proxy to the internal services. The returned function stops timers, writes pending last-used
 * times and closes the proxy's connections.
 */
export function mountFrontDoor(app: OpenAPIHono, deps: GatewayDependencies): () => Promise<void> {
  const { config, logger } = deps;
  app.use(secureHeaders());
  app.use(corsForOrigins(config.CORS_ORIGINS));

  const authOn = config.GATEWAY_AUTH === "on";
  const verifier = authOn
    ? new ApiKeyVerifier({
        store: new ApiKeyStore(deps.database),
        logger,
        cacheTtlMs: config.API_KEY_CACHE_TTL_MS,
        lastUsedFlushMs: config.API_KEY_LAST_USED_FLUSH_MS,
      })
    : undefined;
  if (!authOn)
    logger.warn("GATEWAY_AUTH=off: /api, /mcp and the Linear revoke route are open to anyone who can reach this port");

  const guards: MiddlewareHandler[] = verifier ? [requireApiKey(verifier)] : [];
  let sweep: NodeJS.Timeout | undefined;
  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    const buckets = new TokenBuckets({ perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST });
    sweep = setInterval(() => buckets.sweep(), SWEEP_BUCKETS_MS);
    sweep.unref();
    // With keys off, the client's address is the only identity there is.
    const subjectOf = (c: Context) =>
      authOn ? `key:${c.get("apiKey").id}` : `address:${clientAddress(c) ?? "unknown"}`;
    const windowSeconds = Math.ceil((config.RATE_LIMIT_BURST * 60) / config.RATE_LIMIT_PER_MINUTE);
    guards.push(rateLimit(buckets, { windowSeconds, subjectOf }));
  }
  const guard = every(...guards);
  // A trailing `/*` also matches the bare path (`/mcp`); listing both would run the guard twice.
  app.use("/api/*", guard);
  app.use("/mcp/*", guard);
  app.use("/oauth/linear/revoke", (c, next) => (c.req.method === "POST" ? guard(c, next) : next()));

  const api = createApiProxy({
    upstreams: deps.upstreams,
    internalToken: config.INTERNAL_TOKEN,
    headersTimeoutMs: config.API_PROXY_HEADERS_TIMEOUT_MS,
  });
  app.all("/api/:service/*", api.proxy);

  return async () => {
    clearInterval(sweep);
    await Promise.all([verifier?.close(), api.close()]);
  };
}
