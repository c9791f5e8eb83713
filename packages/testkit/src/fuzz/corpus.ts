import { type FuzzEndpoint, requestFrom, type ValidParts } from "./endpoint.ts";
import type { FuzzRequest } from "./http-exchange.ts";

const DEEP = 10_000;

/**
 * The fixed cases every endpoint gets once: empty and malformed JSON, JSON that is not an object,
 * wrong and missing content types, invalid UTF-8, deep nesting, huge arrays and strings, a body
 * over the limit (413, declared and chunked), bogus credentials and a crowd of unknown headers.
 * `sample` is one valid request, the base of the cases that vary only headers or framing.
 */
export function malformedRequests(endpoint: FuzzEndpoint, sample: ValidParts): FuzzRequest[] {
  const json = JSON.stringify(sample.body);
  const raw = (kind: string, body: string | Uint8Array, extra: Partial<FuzzRequest> = {}) =>
    requestFrom(endpoint, `corpus: ${kind}`, sample, body, extra);
  const withHeaders = (kind: string, headers: Record<string, string | string[] | undefined>, body = json) => {
    const request = raw(kind, body);
    const merged = { ...request.headers };
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    return { ...request, headers: merged };
  };
  const cases: FuzzRequest[] = [
    raw("empty body", ""),
    raw("whitespace body", " \n\t "),
    raw("null", "null"),
    raw("array", "[]"),
    raw("string", '"text"'),
    raw("number", "12"),
    raw("unterminated object", "{"),
    raw("single quotes", "{'a': 1}"),
    raw("trailing comma", '{"a": 1,}'),
    raw("trailing garbage", `${json}garbage`),
    raw("two documents", `${json}\n${json}`),
    raw("NaN literal", '{"a": NaN}'),
    raw("comment", `/* hi */ ${json}`),
    raw("byte order mark", `\uFEFF${json}`),
    raw("invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])),
    raw("UTF-16 body", Buffer.from(json, "utf16le")),
    raw("NUL bytes", `\u0000${json}\u0000`),
    raw("duplicate keys", json.replace(/^\{/, '{"__proto__": {"polluted": true}, ')),
    raw(`${DEEP} nested arrays`, "[".repeat(DEEP)),
    raw(`${DEEP} nested arrays, closed`, `${"[".repeat(DEEP)}${"]".repeat(DEEP)}`),
    raw(`${DEEP} nested objects`, `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`),
    raw("huge array", `[${"0,".repeat(200_000)}0]`),
    raw("huge string", JSON.stringify("x".repeat(500_000))),
    raw("many keys", JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])))),
    raw("chunked valid body", json, { chunks: 7 }),
    raw("chunked one byte at a time", json.slice(0, 64), { chunks: Math.min(64, json.length) }),
    withHeaders("no content type", { "content-type": undefined }),
    withHeaders("text/plain", { "content-type": "text/plain" }),
    withHeaders("form type", { "content-type": "application/x-www-form-urlencoded" }),
    withHeaders("multipart", { "content-type": "multipart/form-data; boundary=x" }, "--x\r\n\r\n--x--"),
    withHeaders("XML", { "content-type": "application/xml" }, "<a>1</a>"),
    withHeaders("UTF-16 charset", { "content-type": "application/json; charset=utf-16" }),
    withHeaders("duplicated content type", { "content-type": ["application/json", "text/html"] }),
    withHeaders("content type with a long parameter", { "content-type": `application/json; x=${"y".repeat(4_000)}` }),
    withHeaders("bogus bearer", { authorization: "Bearer dtk_not_a_key", "x-api-key": undefined }),
    withHeaders("basic auth", { authorization: "Basic Zm9vOmJhcg==", "x-api-key": undefined }),
    withHeaders("no credentials", { authorization: undefined, "x-api-key": undefined }),
    withHeaders("bogus API key header", { "x-api-key": "x".repeat(5_000) }),
    withHeaders(
      "a hundred unknown headers",
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-fuzz-${i}`, `value ${i}`])),
    ),
    withHeaders("odd tracing headers", {
      traceparent: "ff-zzz-yyy-01",
      tracestate: "=,=,=",
      "x-request-id": "../../../etc/passwd",
      "x-forwarded-for": "not an address",
    }),
    withHeaders("gzip claimed, not sent", { "content-encoding": "gzip" }),
  ];
  if (endpoint.bodyLimitBytes !== undefined) {
    const over = JSON.stringify({ padding: "x".repeat(endpoint.bodyLimitBytes) });
    cases.push(
      raw("over the body limit", over, { expectStatus: 413 }),
      raw("over the body limit, chunked", over, { chunks: 16, expectStatus: 413 }),
    );
  }
  return cases;
}
