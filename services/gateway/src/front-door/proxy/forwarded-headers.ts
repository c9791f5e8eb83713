import type { Dispatcher } from "undici";

// RFC 9110 §7.6.1: they describe one connection, not the message, and never cross a proxy.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

// Never sent upstream: the caller's credentials (the internal token replaces them) and any attempt at
// an internal one, the host the HTTP client sets, and `expect`, which undici does not send on a caller's behalf.
const NOT_FORWARDED_UP = new Set(["host", "authorization", "x-api-key", "x-internal-token", "cookie", "expect"]);

// What a proxy in front may say; anything else (a client's garbage or injection attempt) is replaced by what the gateway saw.
const FORWARDED_PROTO = /^https?$/;
const FORWARDED_HOST = /^(?:[a-z\d.-]+|\[[\da-f:.]+\])(?::\d{1,5})?$/i;

/** Hop-by-hop headers, including those the message's own Connection header names. */
function hopByHop(connection: string | null | undefined): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (const name of (connection ?? "").split(",")) {
    if (name.trim()) names.add(name.trim().toLowerCase());
  }
  return names;
}

export interface ForwardingContext {
  /** The address the request came from, appended to X-Forwarded-For. */
  clientAddress: string | undefined;
  /** The gateway's request id, sent on as X-Request-Id so that logs join up. */
  requestId: string;
  /** `/api/<service>`: what the upstream's paths are mounted under, as the caller sees them. */
  prefix: string;
  url: URL;
  /** INTERNAL_TOKEN, sent as the bearer credential. */
  internalToken: string | undefined;
}

/** The headers a proxied request carries upstream. */
export function requestHeadersForUpstream(incoming: Headers, context: ForwardingContext): Record<string, string> {
  const dropped = hopByHop(incoming.get("connection"));
  const headers: Record<string, string> = {};
  for (const [name, value] of incoming) {
    if (!dropped.has(name) && !NOT_FORWARDED_UP.has(name)) headers[name] = value;
  }
  const forwardedFor = incoming.get("x-forwarded-for");
  if (context.clientAddress) {
    headers["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${context.clientAddress}` : context.clientAddress;
  }
  // A proxy in front of the gateway knows better what the caller used; otherwise it is us.
  const proto = incoming.get("x-forwarded-proto");
  const host = incoming.get("x-forwarded-host");
  headers["x-forwarded-proto"] = proto && FORWARDED_PROTO.test(proto) ? proto : context.url.protocol.replace(/:$/, "");
  headers["x-forwarded-host"] = host && FORWARDED_HOST.test(host) ? host : context.url.host;
  headers["x-forwarded-prefix"] = context.prefix;
  headers["x-request-id"] = context.requestId;
  if (context.internalToken) headers.authorization = `Bearer ${context.internalToken}`;
  return headers;
}

/** The headers of the upstream's response that go back to the caller. */
export function responseHeadersForCaller(upstream: Dispatcher.ResponseData["headers"]): Headers {
  const connection = upstream.connection;
  const dropped = hopByHop(Array.isArray(connection) ? connection.join(",") : connection);
  const headers = new Headers();
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || dropped.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}
