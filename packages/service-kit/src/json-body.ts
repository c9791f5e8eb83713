import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/;
// curl -d sends this type by default; the deployment guide's examples rely on it.
const CURL_DEFAULT = "application/x-www-form-urlencoded";

/**
 * Route middleware for JSON-only endpoints: reads the body as JSON when it is sent as JSON, with no
 * content type, or with curl's default type; rejects other types (415), empty bodies and malformed
 * JSON (400, with the parser's position). Runs before the route's schema validation.
 */
export function jsonBody(): MiddlewareHandler {
  return async function jsonBody(c, next) {
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const declaredJson = JSON_MEDIA_TYPE.test(mediaType);
    if (!declaredJson && mediaType !== "" && mediaType !== CURL_DEFAULT) {
      throw new HttpError("unsupported_media_type", `send the body as application/json, not ${mediaType}`);
    }
    const text = await c.req.text();
    if (text.trim() === "") throw new HttpError("bad_request", "request body is empty; expected a JSON object");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new HttpError("malformed_json", `request body is not valid JSON: ${(error as Error).message}`);
    }
    if (!declaredJson) {
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-type", "application/json");
      // The signal goes along: the Node adapter aborts it when the client goes away.
      c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: text, signal: c.req.raw.signal });
    }
    // The validator reads this instead of parsing the text a second time.
    c.req.bodyCache.json = Promise.resolve(parsed);
    await next();
  };
}
