import { describe, expect, it } from "vitest";
import { buildTestApp, readProblem } from "./support.ts";

const VALID = { name: "widget", count: 3 };

/** POSTs to the JSON test route; a byte body carries no content type unless one is given. */
function post(body: string | Uint8Array, contentType?: string, app = buildTestApp()): Promise<Response> {
  const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType };
  return Promise.resolve(app.request("/things", { method: "POST", headers, body }));
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("JSON request bodies (jsonBody + zod schema)", () => {
  it("accepts a valid body sent as application/json", async () => {
    const response = await post(JSON.stringify(VALID), "application/json");

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual(VALID);
  });

  it.each(["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"])(
    "accepts the JSON media type spelled %s",
    async (contentType) => {
      const response = await post(JSON.stringify(VALID), contentType);

      expect(response.status).toBe(200);
      expect(await response.json()).toStrictEqual(VALID);
    },
  );

  it("reads a body sent with no content type as JSON", async () => {
    const request = new Request("http://localhost/things", { method: "POST", body: bytes(JSON.stringify(VALID)) });
    expect(request.headers.get("content-type")).toBeNull();

    const response = await buildTestApp().request(request);

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual(VALID);
  });

  it("reads a body sent as application/x-www-form-urlencoded (curl -d's default) as JSON", async () => {
    const response = await post(JSON.stringify(VALID), "application/x-www-form-urlencoded");

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual(VALID);
  });

  it("keeps the request's abort signal when it reads a curl-typed body as JSON", async () => {
    const gone = new AbortController();
    gone.abort();
    const request = new Request("http://localhost/things", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify(VALID),
      signal: gone.signal,
    });

    const response = await buildTestApp().request(request);

    expect(response.status).toBe(200);
    expect(response.headers.get("x-client-gone")).toBe("true");
  });

  it("rejects a text/plain body with 415", async () => {
    const response = await post(JSON.stringify(VALID), "text/plain");

    expect(response.status).toBe(415);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:unsupported_media_type");
    expect(problem.detail).toContain("text/plain");
  });

  it("rejects a multipart body with 415 rather than parsing it as a form", async () => {
    const form = new FormData();
    form.set("name", "widget");
    const response = await buildTestApp().request("/things", { method: "POST", body: form });

    expect(response.status).toBe(415);
    expect((await readProblem(response)).type).toBe("urn:devtools:problem:unsupported_media_type");
  });

  it("rejects malformed JSON with 400 quoting the parser's message", async () => {
    const malformed = '{"name": "widget", "count": 3';
    let parserMessage = "";
    try {
      JSON.parse(malformed);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    expect(parserMessage).not.toBe("");

    const response = await post(malformed, "application/json");

    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:malformed_json");
    expect(problem.detail).toContain(parserMessage);
  });

  it.each([
    ["an empty body", ""],
    ["a whitespace-only body", "  \n "],
  ])("rejects %s with 400", async (_what, body) => {
    const response = await post(body, "application/json");

    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:bad_request");
    expect(problem.detail).toMatch(/empty/);
  });

  it("rejects a field of the wrong type with validation_failed naming the field", async () => {
    const response = await post(JSON.stringify({ name: "widget", count: "three" }), "application/json");

    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:validation_failed");
    expect(problem.errors?.[0]?.field).toBe("count");
    expect(problem.detail).toContain("count");
    expect(problem.instance).toBe(response.headers.get("x-request-id"));
  });

  it("names every missing required field", async () => {
    const response = await post("{}", "application/json");

    expect(response.status).toBe(400);
    const fields = (await readProblem(response)).errors?.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "count"]));
  });

  it("rejects a JSON value that is not an object against the whole body", async () => {
    const response = await post("[1, 2, 3]", "application/json");

    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:validation_failed");
    expect(problem.errors?.[0]?.field).toBe("(body)");
  });

  it("rejects an unknown field under a strict schema, naming it", async () => {
    const response = await post(JSON.stringify({ ...VALID, colour: "red" }), "application/json");

    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:validation_failed");
    expect(problem.errors?.[0]).toMatchObject({ field: "colour", code: "unrecognized_keys" });
  });

  it("rejects a __proto__ key instead of merging it into any object", async () => {
    const response = await post('{"name": "widget", "count": 3, "__proto__": {"polluted": true}}', "application/json");

    expect(response.status).toBe(400);
    expect((await readProblem(response)).errors?.[0]?.field).toBe("__proto__");
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  });

  it("rejects a body over bodyLimitBytes with 413 problem+json", async () => {
    const app = buildTestApp({ bodyLimitBytes: 64 });
    const response = await post(JSON.stringify({ name: "w".repeat(200), count: 1 }), "application/json", app);

    expect(response.status).toBe(413);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:payload_too_large");
    expect(problem.detail).toContain("64 bytes");
  });

  it("rejects a body whose declared content-length is over the limit", async () => {
    const app = buildTestApp({ bodyLimitBytes: 64 });
    const body = JSON.stringify({ name: "w".repeat(200), count: 1 });
    const request = new Request("http://localhost/things", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(body.length) },
      body,
    });

    const response = await app.request(request);

    expect(response.status).toBe(413);
    expect((await readProblem(response)).type).toBe("urn:devtools:problem:payload_too_large");
  });

  it("accepts a body right at bodyLimitBytes", async () => {
    const body = JSON.stringify(VALID);
    const app = buildTestApp({ bodyLimitBytes: bytes(body).byteLength });

    const response = await post(body, "application/json", app);

    expect(response.status).toBe(200);
  });
});
