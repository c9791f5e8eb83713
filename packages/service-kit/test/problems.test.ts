import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { HttpError, toProblem } from "../src/errors.ts";
import { buildTestApp, readProblem, SECRET_IN_ERROR } from "./support.ts";

describe("problem+json error responses", () => {
  it("answers an unknown route with 404 whose instance is the response's request id", async () => {
    const response = await buildTestApp().request("/no-such-route");

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/);
    const problem = await readProblem(response);
    expect(problem).toStrictEqual({
      type: "urn:devtools:problem:not_found",
      title: "Not found",
      status: 404,
      detail: "no route for GET /no-such-route",
      instance: requestId,
    });
  });

  it("gives every request its own id", async () => {
    const app = buildTestApp();
    const first = await app.request("/health");
    const second = await app.request("/health");

    expect(first.headers.get("x-request-id")).toBeTruthy();
    expect(first.headers.get("x-request-id")).not.toBe(second.headers.get("x-request-id"));
  });

  it("keeps a well-formed request id the caller sent, and quotes it in problems", async () => {
    const response = await buildTestApp().request("/no-such-route", { headers: { "x-request-id": "gateway-abc_123" } });

    expect(response.headers.get("x-request-id")).toBe("gateway-abc_123");
    expect((await readProblem(response)).instance).toBe("gateway-abc_123");
  });

  it.each([
    ["markup", "<script>alert(1)</script>"],
    ["spaces and quotes", 'id" injected="1'],
    ["an over-long value", "a".repeat(256)],
  ])("replaces a caller's request id containing %s with a generated one", async (_what, hostile) => {
    const response = await buildTestApp().request("/no-such-route", { headers: { "x-request-id": hostile } });

    const requestId = response.headers.get("x-request-id");
    expect(requestId).not.toBe(hostile);
    expect(requestId).toMatch(/^[\da-f-]{36}$/);
    const text = await response.text();
    expect(text).not.toContain(hostile);
    expect(JSON.parse(text)).toMatchObject({ instance: requestId });
  });

  it("answers a thrown plain Error with a bare 500 that reveals neither message nor stack", async () => {
    const response = await buildTestApp().request("/boom");

    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id");
    const text = await response.text();
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.parse(text)).toStrictEqual({
      type: "urn:devtools:problem:internal",
      title: "Internal server error",
      status: 500,
      instance: requestId,
    });
    expect(text).not.toContain(SECRET_IN_ERROR);
    expect(text).not.toContain("database said no");
    expect(text).not.toMatch(/stack|\.ts:\d+/);
  });

  it("answers an error the service says means an unreachable dependency with 503 and retry-after, revealing nothing else", async () => {
    const unavailable = (error: unknown) =>
      error instanceof Error && error.message.includes("database said no") ? "the database is unavailable" : undefined;
    const app = buildTestApp({ unavailable });

    const response = await app.request("/boom");

    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    const text = await response.text();
    expect(JSON.parse(text)).toStrictEqual({
      type: "urn:devtools:problem:unavailable",
      title: "Service unavailable",
      status: 503,
      detail: "the database is unavailable",
      instance: response.headers.get("x-request-id"),
    });
    expect(text).not.toContain(SECRET_IN_ERROR);
    // Errors it does not recognise stay 500s; HttpErrors keep their own status.
    expect((await buildTestApp({ unavailable: () => undefined }).request("/boom")).status).toBe(500);
    expect((await app.request("/conflict")).status).toBe(409);
  });

  it("answers HttpError('conflict') with 409 and its detail", async () => {
    const response = await buildTestApp().request("/conflict");

    expect(response.status).toBe(409);
    const problem = await readProblem(response);
    expect(problem).toMatchObject({
      type: "urn:devtools:problem:conflict",
      title: "Conflict",
      status: 409,
      detail: "a thing named widget already exists",
    });
    expect(problem.instance).toBe(response.headers.get("x-request-id"));
  });
});

describe("toProblem", () => {
  it("carries an HttpError's fields as errors", () => {
    const error = new HttpError("validation_failed", "invalid body", {
      fields: [{ field: "name", message: "is required", code: "invalid_type" }],
    });

    expect(toProblem(error, "req-1")).toStrictEqual({
      type: "urn:devtools:problem:validation_failed",
      title: "Request validation failed",
      status: 400,
      detail: "invalid body",
      instance: "req-1",
      errors: [{ field: "name", message: "is required", code: "invalid_type" }],
    });
  });

  it("maps a framework 4xx HTTPException to the code for its status", () => {
    const problem = toProblem(new HTTPException(401, { message: "no token" }), "req-2");

    expect(problem).toMatchObject({ type: "urn:devtools:problem:unauthorized", status: 401, detail: "no token" });
  });

  it("keeps an unlisted 4xx status but files it under bad_request", () => {
    const problem = toProblem(new HTTPException(418, { message: "short and stout" }), undefined);

    expect(problem).toMatchObject({ type: "urn:devtools:problem:bad_request", status: 418 });
  });

  it("hides the message of a framework 5xx HTTPException", () => {
    const problem = toProblem(new HTTPException(503, { message: "pool exhausted at db-3.internal" }), "req-3");

    expect(problem).toStrictEqual({
      type: "urn:devtools:problem:internal",
      title: "Internal server error",
      status: 500,
      instance: "req-3",
    });
  });

  it("treats a thrown non-Error value as internal", () => {
    expect(toProblem("just a string", "req-4")).toMatchObject({ status: 500, type: "urn:devtools:problem:internal" });
  });
});
