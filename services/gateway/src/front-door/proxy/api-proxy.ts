import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { HttpError } from "@devtools/service-kit/errors";
import type { Context, Handler } from "hono";
import { Pool } from "undici";
import type { UpstreamName } from "../../upstream/urls.ts";
import { clientAddress } from "../client-address.ts";
import { requestHeadersForUpstream, responseHeadersForCaller } from "./forwarded-headers.ts";
import { upstreamPath } from "./upstream-path.ts";

export interface ApiProxyOptions {
  /** The internal services' base URLs. */
  upstreams: Record<UpstreamName, string>;
  internalToken: string | undefined;
  /** How long to wait for an upstream's response headers; its body may then stream for as long as it likes. */
  headersTimeoutMs: number;
}

// Nothing was sent, or the connection broke: the upstream is not there (or not healthy).
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"]);
const TIMED_OUT = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);

function errorCode(error: unknown): string | undefined {
  let cause: unknown = error;
  while (typeof cause === "object" && cause !== null) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `/api/<service>/<path>` → `<service's base URL>/<path>`, streamed both ways: the request body
 * goes up as it arrives and the response body (an SSE stream included) comes down chunk by chunk.
 * The caller's API key stays here; the internal token, X-Forwarded-* and X-Request-Id go up.
 * One keep-alive pool per service; `close` destroys them.
 */
export function createApiProxy({ upstreams, internalToken, headersTimeoutMs }: ApiProxyOptions) {
  const pools = new Map<UpstreamName, { pool: Pool; basePath: string }>();
  const targetOf = (service: UpstreamName) => {
    let target = pools.get(service);
    if (!target) {
      const base = new URL(upstreams[service]);
      target = {
        // No body timeout: an event stream may stay quiet for as long as its task does.
        pool: new Pool(base.origin, { keepAliveTimeout: 30_000, headersTimeout: headersTimeoutMs, bodyTimeout: 0 }),
        basePath: base.pathname.replace(/\/$/, ""),
      };
      pools.set(service, target);
    }
    return target;
  };
  const known = Object.keys(upstreams).sort();

  const proxy: Handler = async (c: Context) => {
    const service = c.req.param("service") ?? "";
    if (!Object.hasOwn(upstreams, service)) {
      throw new HttpError("not_found", `no service named "${service}" behind /api: use one of ${known.join(", ")}`);
    }
    const name = service as UpstreamName;
    const url = new URL(c.req.url);
    const prefix = `/api/${service}`;
    const rest = upstreamPath(url.pathname, prefix);
    const { pool, basePath } = targetOf(name);
    const path = `${basePath}${rest}${url.search}`;
    const request = c.req.raw;
    const hasBody = request.body !== null && c.req.method !== "GET" && c.req.method !== "HEAD";
    let upstream: Awaited<ReturnType<Pool["request"]>>;
    try {
      upstream = await pool.request({
        method: c.req.method as "GET",
        path,
        headers: requestHeadersForUpstream(request.headers, {
          clientAddress: clientAddress(c),
          requestId: c.get("requestId"),
          prefix,
          url,
          internalToken,
        }),
        body: hasBody ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : null,
        signal: request.signal,
      });
    } catch (error) {
      // The caller left; nobody reads this answer, but the log line says why it ended (nginx's 499).
      if (request.signal.aborted) return new Response(null, { status: 499 });
      const code = errorCode(error);
      c.get("logger").warn({ err: error, service, code }, "proxied request failed");
      if (code && TIMED_OUT.has(code)) {
        throw new HttpError("gateway_timeout", `the ${service} service did not answer in time`);
      }
      if (code && UNREACHABLE.has(code)) {
        throw new HttpError("bad_gateway", `the ${service} service is not reachable; try again shortly`);
      }
      throw new HttpError("bad_gateway", `the request to the ${service} service failed`);
    }
    const headers = responseHeadersForCaller(upstream.headers);
    const bodyless = c.req.method === "HEAD" || upstream.statusCode === 204 || upstream.statusCode === 304;
    if (bodyless) {
      upstream.body.resume();
      return new Response(null, { status: upstream.statusCode, headers });
    }
    // Readable.toWeb passes each chunk on as it comes; cancelling the stream (the caller left) destroys the upstream body.
    const body = Readable.toWeb(upstream.body) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, { status: upstream.statusCode, headers });
  };

  const close = async () => {
    await Promise.all([...pools.values()].map(({ pool }) => pool.destroy()));
  };
  return { proxy, close };
}
