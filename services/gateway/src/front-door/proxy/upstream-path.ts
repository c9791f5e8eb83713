import { HttpError } from "@devtools/service-kit/errors";

// Decoded twice: a service (or a proxy behind it) that decodes a double-encoded `%252e%252e` once more reads `..`.
const DECODE_ROUNDS = 2;
// What a segment must not turn into once decoded: a separator, or a control character (NUL, CR, LF…).
const UNSAFE_DECODED = /[/\\\p{Cc}]/u;

function decoded(segment: string): string {
  let value = segment;
  for (let round = 0; round < DECODE_ROUNDS; round += 1) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // A lone `%` is text, not an escape: what decoded so far is what a service reads.
      break;
    }
  }
  return value;
}

/**
 * The part of `pathname` below `prefix` (`/api/<service>`) as the service will get it, or a 400 when
 * a service could read it as another path than the gateway routed: the service's name spelled with
 * escapes, an encoded slash, backslash or dot segment (`..%2f`, `%5c`, `%252e%252e`), a control
 * character, or an empty segment (`//host/…` reads as an authority). The URL parser has already
 * resolved plain and `%2e` dot segments before routing.
 */
export function upstreamPath(pathname: string, prefix: string): string {
  if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) {
    throw new HttpError("bad_request", `spell the service's name in ${prefix} without percent-escapes`);
  }
  const rest = pathname.slice(prefix.length) || "/";
  const segments = rest.slice(1).split("/");
  for (const [index, segment] of segments.entries()) {
    const value = decoded(segment);
    const emptyInside = segment === "" && index < segments.length - 1;
    if (emptyInside || value === "." || value === ".." || UNSAFE_DECODED.test(value)) {
      throw new HttpError(
        "bad_request",
        "the path under /api/<service> has an encoded separator, a dot segment, a control character or an empty segment",
      );
    }
  }
  return rest;
}
