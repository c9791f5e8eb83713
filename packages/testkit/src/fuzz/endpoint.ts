import fc from "fast-check";
import type { Exchange, FuzzRequest } from "./http-exchange.ts";
import { arbitraryFromSchema, type JsonSchema } from "./json-schema-arbitrary.ts";
import { mutated } from "./mutations.ts";
import type { ErrorFormat } from "./oracle.ts";

/** A parameter as OpenAPI lists it. */
export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
}

/** One POST endpoint to fuzz, and what its valid requests look like. */
export interface FuzzEndpoint {
  /** The route as documented, parameters in braces: `/tasks/{id}/cancel`, `/api/orchestrator/orchestrate`. */
  path: string;
  /** The body's JSON Schema; without one the body is any JSON (plus the corpus). */
  body?: JsonSchema;
  /** The document the `$ref`s in `body` and `parameters` point into. */
  root?: JsonSchema;
  /** Path, query and header parameters, as OpenAPI lists them. */
  parameters?: readonly OpenApiParameter[];
  /** Path and header parameter values by name, instead of their schema's (ids the service knows…). */
  parameterValues?: Record<string, fc.Arbitrary<string>>;
  /** Body property values by dotted path, instead of the schema's (a fresh timestamp…). */
  bodyOverrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Sent with every request unless the request itself changes it (an API key). */
  headers?: Record<string, string>;
  /** The last step before sending, as the real client's: e.g. signing the final body. */
  finish?: (request: FuzzRequest) => FuzzRequest;
  /** A further check of each 2xx answer (an event stream's last event…): what is wrong, or undefined. */
  verify?: (exchange: Exchange) => string | undefined;
  /** How the endpoint words its 4xx answers; problem+json unless said otherwise. */
  errorFormat?: ErrorFormat;
  /** The service's body limit: the corpus sends more and expects 413. */
  bodyLimitBytes?: number;
}

export interface ValidParts {
  target: string;
  headers: Record<string, string>;
  body: unknown;
}

const headerText = (maxLength = 64) =>
  fc.string({ unit: "grapheme-ascii", maxLength }).map((value) => value.replace(/[^\x20-\x7e]/g, "").trim());

/** Requests shaped as the endpoint documents them: path, query and header parameters, and body. */
export function validParts(endpoint: FuzzEndpoint): fc.Arbitrary<ValidParts> {
  const root = endpoint.root ?? endpoint.body ?? {};
  const parameters = endpoint.parameters ?? [];
  const parameterValue = (parameter: OpenApiParameter): fc.Arbitrary<string> =>
    endpoint.parameterValues?.[parameter.name] ??
    arbitraryFromSchema(parameter.schema ?? { type: "string" }, { root }).map((value) =>
      typeof value === "string" ? value : JSON.stringify(value),
    );
  const pick = (where: OpenApiParameter["in"]) =>
    fc.record(Object.fromEntries(parameters.filter((p) => p.in === where).map((p) => [p.name, parameterValue(p)])), {
      requiredKeys: parameters.filter((p) => p.in === where && (p.required || where === "path")).map((p) => p.name),
    }) as fc.Arbitrary<Record<string, string>>;
  const body = endpoint.body
    ? arbitraryFromSchema(endpoint.body, { root, overrides: endpoint.bodyOverrides ?? {} })
    : fc.jsonValue({ maxDepth: 3 });
  return fc.record({ path: pick("path"), query: pick("query"), header: pick("header"), body }).map((parts) => {
    const path = endpoint.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(parts.path[name] ?? ""));
    const query = new URLSearchParams(parts.query).toString();
    // Names in lower case, as the endpoint's own headers and `finish` write them; values sendable at
    // all (the odd ones come from `oddHeaders`).
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(parts.header)) {
      headers[name.toLowerCase()] = value.replace(/[^\x20-\x7e]/g, "").trim();
    }
    return { target: query ? `${path}?${query}` : path, headers, body: parts.body };
  });
}

/** A request from valid parts: JSON body, JSON content type, the endpoint's own headers, finished. */
export function requestFrom(
  endpoint: FuzzEndpoint,
  kind: string,
  parts: { target: string; headers: Record<string, string | string[]> },
  body: string | Uint8Array,
  extra: Partial<FuzzRequest> = {},
): FuzzRequest {
  const request: FuzzRequest = {
    kind,
    target: parts.target,
    headers: { "content-type": "application/json", ...endpoint.headers, ...parts.headers },
    body,
    ...extra,
  };
  return endpoint.finish ? endpoint.finish(request) : request;
}

const CONTENT_TYPES: readonly (string | string[] | undefined)[] = [
  undefined,
  "",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "application/vnd.api+json",
  "application/json;;;",
  "application/xml",
  "multipart/form-data; boundary=fuzz",
  "json",
  "*/*",
  ["application/json", "text/plain"],
  ["application/json", "application/json"],
];

const AUTHORIZATIONS: readonly (string | undefined)[] = [
  undefined,
  "",
  "Bearer",
  "Bearer ",
  "Basic Zm9vOmJhcg==",
  "Bearer dtk_0000000000000000000000000000000000000000",
  `Bearer ${"A".repeat(8_000)}`,
  "bearer  two  spaces",
];

/** Headers a client might send by mistake or on purpose: wrong types, bogus keys, unknown names. */
function oddHeaders(): fc.Arbitrary<Record<string, string | string[] | undefined>> {
  return fc.record(
    {
      "content-type": fc.constantFrom(...CONTENT_TYPES),
      authorization: fc.constantFrom(...AUTHORIZATIONS),
      "x-api-key": fc.oneof(fc.constant("dtk_bogus"), headerText()),
      accept: fc.constantFrom("text/event-stream", "application/xml", "*/*", "application/problem+json", ""),
      "content-encoding": fc.constantFrom("gzip", "br", "identity"),
      traceparent: fc.oneof(fc.constant("00-00000000000000000000000000000000-0000000000000000-01"), headerText()),
      "x-request-id": fc.oneof(headerText(300), fc.constant("../../etc")),
      "x-forwarded-for": fc.constantFrom("not-an-ip", "1.2.3.4, ::1, garbage", "", "999.999.999.999"),
      prefer: fc.constantFrom("wait=0", "wait=-1", "wait=abc", "wait=0.0001x", "respond-async", "return=minimal", ""),
      "idempotency-key": headerText(),
      "x-fuzz": fc.array(headerText(), { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
}

/** Truncated, padded or re-encoded JSON text: what a broken client or proxy sends. */
function textMutations(text: string): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((end) => text.slice(0, end)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.constantFrom(",", "}", "]", '"', "\\", "\u0000", "\uFEFF", "NaN", "\n"))
      .map(([at, insert]) => `${text.slice(0, at)}${insert}${text.slice(at)}`),
    fc.constant(`\uFEFF${text}`),
    fc.constant(`${text}${text}`),
    fc.constant(Buffer.from(text, "utf16le") as Uint8Array),
    fc.constant(Buffer.from(text, "latin1") as Uint8Array),
  );
}

/**
 * The endpoint's generated requests, mostly valid-shaped (so that the deep code paths and 2xx
 * run), then mutated bodies, then valid bodies with odd headers or broken JSON text.
 */
export function requestArbitrary(endpoint: FuzzEndpoint): fc.Arbitrary<FuzzRequest> {
  const valid = validParts(endpoint);
  const generated = valid.map((parts) => requestFrom(endpoint, "generated", parts, JSON.stringify(parts.body)));
  const bent = fc
    .tuple(valid, mutated(valid.map((parts) => parts.body)))
    .map(([parts, body]) => requestFrom(endpoint, "mutated", parts, JSON.stringify(body) ?? "undefined"));
  const oddlyHeaded = fc.tuple(valid, oddHeaders(), fc.boolean()).map(([parts, odd, chunked]) => {
    const request = requestFrom(
      endpoint,
      "odd headers",
      parts,
      JSON.stringify(parts.body),
      chunked ? { chunks: 3 } : {},
    );
    const headers = { ...request.headers };
    for (const [name, value] of Object.entries(odd)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    return { ...request, headers };
  });
  const broken = valid.chain((parts) =>
    textMutations(JSON.stringify(parts.body)).map((body) => requestFrom(endpoint, "broken JSON", parts, body)),
  );
  return fc.oneof(
    { weight: 5, arbitrary: generated },
    { weight: 3, arbitrary: bent },
    { weight: 1, arbitrary: oddlyHeaded },
    { weight: 1, arbitrary: broken },
  );
}
