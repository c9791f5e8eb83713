import { type RawResponse, rawExchange } from "@devtools/testkit/raw-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, serveApp } from "../../src/serve.ts";
import { buildTestApp, logger } from "../support.ts";

// The service kit's test app served on a real socket: what a body limit does to bytes on the wire
// (chunks without a length, a length that lies) is invisible to app.request().
const LIMIT = 1_024;
const OVER = `{"name":"${"w".repeat(LIMIT * 4)}","count":1}`;

let service: RunningService;
let url: string;
beforeAll(async () => {
  service = await serveApp(buildTestApp({ bodyLimitBytes: LIMIT }), {
    port: 0,
    host: "127.0.0.1",
    logger,
    shutdownTimeoutMs: 1_000,
    handleSignals: false,
  });
  url = `http://127.0.0.1:${service.port}`;
});
afterAll(() => service?.shutdown("tests over"));

const head = (headers: string) =>
  `POST /things HTTP/1.1\r\nHost: service.test\r\nContent-Type: application/json\r\n${headers}\r\n\r\n`;
const chunked = (body: string, size = 512) => {
  const chunks: string[] = [];
  for (let at = 0; at < body.length; at += size) {
    const chunk = body.slice(at, at + size);
    chunks.push(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
  }
  return [...chunks, "0\r\n\r\n"];
};

function expectTooLarge(response: RawResponse | undefined) {
  expect(response?.status).toBe(413);
  expect(response?.headers["content-type"]).toContain("application/problem+json");
  expect(JSON.parse(response?.body ?? "{}")).toMatchObject({
    type: "urn:devtools:problem:payload_too_large",
    detail: `request body exceeds the limit of ${LIMIT} bytes`,
  });
}

async function expectHealthy() {
  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  const created = await fetch(`${url}/things`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "widget", count: 1 }),
  });
  expect(created.status).toBe(200);
}

describe("the body limit on the wire", () => {
  it("refuses a declared Content-Length over the limit with 413 before the body is sent", async () => {
    // Only the head goes out: a 413 that waited for the body would never come.
    const { responses, closedByServer } = await rawExchange(url, [head(`Content-Length: ${Buffer.byteLength(OVER)}`)]);
    expectTooLarge(responses[0]);
    expect(responses[0]?.headers.connection).toBe("close");
    expect(closedByServer).toBe(true);
    await expectHealthy();
  });

  it("refuses a chunked body with no Content-Length once it passes the limit", async () => {
    const { responses } = await rawExchange(url, [head("Transfer-Encoding: chunked"), ...chunked(OVER)]);
    expectTooLarge(responses[0]);
    expect(responses).toHaveLength(1);
    await expectHealthy();
  });

  it("reads no more than a lying small Content-Length, and answers the rest as a broken request, not a second one", async () => {
    const smuggled = `${OVER}POST /things HTTP/1.1\r\nHost: service.test\r\nContent-Length: 26\r\n\r\n{"name":"smuggled","count":2}`;
    const { responses } = await rawExchange(url, [head("Content-Length: 2"), "{}", smuggled]);
    // The declared two bytes are the whole body: {} fails the schema; the bytes after it are no request.
    expect(responses[0]?.status).toBe(400);
    for (const response of responses.slice(1)) expect(response.status).toBeGreaterThanOrEqual(400);
    expect(responses.map((response) => response.body).join("")).not.toContain("smuggled");
    await expectHealthy();
  });

  it("refuses a lying large Content-Length at once, without waiting for bytes that never come", async () => {
    const { responses, closedByServer } = await rawExchange(url, [head(`Content-Length: ${LIMIT * 1_000}`), "{}"], {
      timeoutMs: 3_000,
    });
    expectTooLarge(responses[0]);
    expect(closedByServer).toBe(true);
    await expectHealthy();
  });

  it("accepts a chunked body right at the limit (the control case)", async () => {
    const body = JSON.stringify({ name: "w".repeat(LIMIT - 21), count: 1 });
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const { responses } = await rawExchange(url, [
      head("Transfer-Encoding: chunked\r\nConnection: close"),
      ...chunked(body),
    ]);
    expect(responses[0]?.status).toBe(200);
  });
});
