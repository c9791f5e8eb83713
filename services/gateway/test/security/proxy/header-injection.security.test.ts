import { type RawExchange, rawExchange } from "@devtools/testkit/raw-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GatewayBeforeFakeServices,
  INTERNAL_TOKEN,
  startGatewayBeforeFakeServices,
} from "../support/gateway-before-fake-services.ts";

let setup: GatewayBeforeFakeServices;
beforeAll(async () => {
  setup = await startGatewayBeforeFakeServices();
});
afterAll(() => setup?.stop());

/** Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body` byte for byte. */
async function send(
  head: string,
  body = "",
): Promise<RawExchange & { received: GatewayBeforeFakeServices["upstream"]["requests"] }> {
  const before = setup.upstream.requests.length;
  const exchange = await rawExchange(setup.gateway.url, [`${head}\r\n\r\n${body}`]);
  return { ...exchange, received: setup.upstream.requests.slice(before) };
}
const keyHeader = () => `Authorization: Bearer ${setup.key}`;

describe("the /api proxy under header injection", () => {
  it.each([
    ["a bare CR inside a value", "X-Note: a\rX-Injected: 1"],
    ["a bare LF inside a value", "X-Note: a\nX-Injected: 1"],
    ["a NUL inside a value", "X-Note: a\u0000b"],
    ["an obsolete folded line", "X-Note: a\r\n X-Injected: 1"],
    ["a space before the colon", "X-Injected : 1"],
  ])("refuses %s before anything reaches a service", async (_what, header) => {
    const { responses, received } = await send(
      `GET /api/orchestrator/tasks HTTP/1.1\r\nHost: gateway.test\r\n${keyHeader()}\r\n${header}\r\nConnection: close`,
    );
    expect(responses[0]?.status).toBe(400);
    expect(received).toEqual([]);
  });

  it.each([
    ["Transfer-Encoding and Content-Length together", "Transfer-Encoding: chunked\r\nContent-Length: 4"],
    ["two Content-Lengths that differ", "Content-Length: 4\r\nContent-Length: 40"],
    ["a Transfer-Encoding other than chunked last", "Transfer-Encoding: chunked, identity"],
    ["an obfuscated Transfer-Encoding", "Transfer-Encoding: xchunked"],
  ])("refuses a smuggling attempt with %s, and never forwards the smuggled request", async (_what, framing) => {
    const smuggled = "GET /api/orchestrator/smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n";
    const { responses, received } = await send(
      `POST /api/orchestrator/orchestrate HTTP/1.1\r\nHost: gateway.test\r\n${keyHeader()}\r\n${framing}`,
      `0\r\n\r\n${smuggled}`,
    );
    expect(responses[0]?.status).toBeGreaterThanOrEqual(400);
    expect(responses[0]?.status).toBeLessThan(500);
    expect(received.map((request) => request.url)).not.toContain("/smuggled");
    expect(responses.map((response) => response.body).join("")).not.toContain("UPSTREAM /smuggled");
  });

  it("sends the service its own Host, the gateway's prefix and request id, and only well-formed forwarded values", async () => {
    const { responses, received } = await send(
      [
        "GET /api/orchestrator/tasks HTTP/1.1",
        "Host: evil.example",
        keyHeader(),
        "X-Forwarded-Proto: gopher",
        "X-Forwarded-Host: evil.example/path?x=1",
        "X-Forwarded-Prefix: /admin",
        "X-Forwarded-For: 203.0.113.9",
        "X-Request-Id: <script>alert(1)</script>",
        "Connection: close",
      ].join("\r\n"),
    );
    expect(responses[0]?.status).toBe(200);
    const headers = received[0]?.headers ?? {};
    expect(headers.host).toBe(new URL(setup.upstream.url).host);
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-host"]).toBe("evil.example");
    expect(headers["x-forwarded-prefix"]).toBe("/api/orchestrator");
    // The address the gateway saw comes last: a spoofed entry can only ever be read as what the client claimed.
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(headers["x-request-id"]).toMatch(/^[\w-]+$/);
  });

  it("sends the internal token it holds, never a client's, whatever hop-by-hop tricks the client plays", async () => {
    for (const extra of [
      "X-Internal-Token: a-client-supplied-token",
      "Connection: close, authorization, x-internal-token\r\nX-Internal-Token: a-client-supplied-token",
      `Proxy-Authorization: Bearer ${INTERNAL_TOKEN}\r\nConnection: close, x-forwarded-prefix, x-request-id`,
    ]) {
      const { responses, received } = await send(
        `GET /api/orchestrator/tasks HTTP/1.1\r\nHost: gateway.test\r\n${keyHeader()}\r\n${extra}\r\nConnection: close`,
      );
      expect(responses[0]?.status, extra).toBe(200);
      const headers = received[0]?.headers ?? {};
      expect(headers.authorization).toBe(`Bearer ${INTERNAL_TOKEN}`);
      expect(headers["x-internal-token"]).toBeUndefined();
      expect(headers["proxy-authorization"]).toBeUndefined();
      expect(headers["x-forwarded-prefix"]).toBe("/api/orchestrator");
      expect(JSON.stringify(headers)).not.toContain(setup.key);
    }
  });

  it("never accepts the internal token from a public client in place of an API key", async () => {
    for (const credential of [
      `Authorization: Bearer ${INTERNAL_TOKEN}`,
      `X-API-Key: ${INTERNAL_TOKEN}`,
      `X-Internal-Token: ${INTERNAL_TOKEN}`,
    ]) {
      const { responses, received } = await send(
        `GET /api/orchestrator/tasks HTTP/1.1\r\nHost: gateway.test\r\n${credential}\r\nConnection: close`,
      );
      expect(responses[0]?.status, credential).toBe(401);
      expect(responses[0]?.headers["content-type"]).toContain("application/problem+json");
      expect(received).toEqual([]);
    }
  });
});
