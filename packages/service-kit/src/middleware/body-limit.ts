import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "../errors.ts";

const payloadTooLarge = (limit: number) =>
  new HttpError("payload_too_large", `request body exceeds the limit of ${limit} bytes`);

/**
 * Refuses bodies over `limit` bytes. A declared Content-Length is checked before anything is read;
 * a streamed (chunked) body is counted as it is read. A declared length leaves the request alone, so
 * the Node adapter's fast path reads the body straight from the socket; touching `raw.body` would make
 * it build a full web Request, which costs more than most routes.
 */
export function limitRequestBody(limit: number): MiddlewareHandler {
  const countStreamedBody = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw payloadTooLarge(limit);
    },
  });
  return function limitRequestBody(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const declared = c.req.header("content-length");
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return countStreamedBody(c, next);
    if (Number(declared) > limit) throw payloadTooLarge(limit);
    return next();
  };
}
