import { posix } from "node:path";
import { rawExchange } from "@devtools/testkit/raw-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALLOWED_PREFIX,
  type GatewayBeforeFakeServices,
  startGatewayBeforeFakeServices,
} from "../support/gateway-before-fake-services.ts";

// Request targets sent byte for byte (fetch and node:http would normalise or refuse them first).
const ATTACKS = [
  "/api/feature-dev/../../admin",
  "/api/feature-dev/%2e%2e/%2e%2e/admin",
  "/api/feature-dev/.%2E/admin",
  "/api/feature-dev/..%2fadmin",
  "/api/feature-dev/..%2Fadmin",
  "/api/feature-dev/%2e%2e%2fadmin",
  "/api/feature-dev/x/..%2f..%2f..%2fadmin",
  "/api/feature-dev/%252e%252e%252fadmin",
  "/api/feature-dev/%252e%252e/admin",
  "/api/feature-dev/..%5cadmin",
  "/api/feature-dev/..\\admin",
  "/api/feature-dev/%5c%5cevil.example/admin",
  "/api/feature-dev//evil.example/admin",
  "/api/feature-dev/@evil.example/admin",
  "/api/feature-dev@evil.example/admin",
  "/api/feature%2ddev/admin",
  "/api/feature%2Ddev%2f..%2fadmin",
  "/api/feature-dev/x%00.json",
  "/api/feature-dev/x%0d%0aX-Injected:%201",
  "/api/feature-dev/x%250d%250aX-Injected:%201",
  "http://evil.example/api/feature-dev/capabilities",
  "http://evil.example/api/feature-dev/../../admin",
];

/** The path a service that decodes (even twice) and resolves dot segments would read. */
function asReadByALenientServer(target: string): string {
  const path = target.split("?")[0] ?? "";
  let decoded = path;
  for (let round = 0; round < 2; round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  return posix.normalize(decoded.replaceAll("\\", "/"));
}

let setup: GatewayBeforeFakeServices;
beforeAll(async () => {
  setup = await startGatewayBeforeFakeServices();
});
afterAll(() => setup?.stop());

const get = (target: string) =>
  rawExchange(setup.gateway.url, [
    `GET ${target} HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${setup.key}\r\nConnection: close\r\n\r\n`,
  ]);

describe("the /api proxy under path injection", () => {
  it("forwards a plain path below the service's base path, query untouched (the control case)", async () => {
    const before = setup.upstream.requests.length;
    const { responses } = await get("/api/feature-dev/capabilities?q=a%2fb%2e%2e");
    expect(responses[0]?.status).toBe(200);
    expect(setup.upstream.requests.slice(before).map((request) => request.url)).toEqual([
      `${ALLOWED_PREFIX}/capabilities?q=a%2fb%2e%2e`,
    ]);
  });

  it.each(ATTACKS)("never lets %s reach a service outside its base path", async (target) => {
    const before = setup.upstream.requests.length;
    const { responses } = await get(target);
    const status = responses[0]?.status ?? 0;
    const received = setup.upstream.requests.slice(before).map((request) => request.url);
    if (status >= 400 && status < 500) {
      expect(received, "a refused request reaches no service").toEqual([]);
      return;
    }
    // Not refused: the URL parser normalised it, and what arrived must stay under the base path however read.
    expect(status, `neither refused nor forwarded: ${JSON.stringify(responses)}`).toBe(200);
    expect(received).toHaveLength(1);
    const path = received[0] ?? "";
    expect(path.startsWith("//")).toBe(false);
    expect(`${asReadByALenientServer(path)}/`.startsWith(`${ALLOWED_PREFIX}/`), path).toBe(true);
    expect(asReadByALenientServer(path)).not.toMatch(/[\r\n\0]/);
  });

  it("refuses encoded separators and dot segments with a 400 problem naming the path", async () => {
    for (const target of ["/api/feature-dev/..%2fadmin", "/api/feature-dev/%252e%252e/admin", "/api/feature-dev//x"]) {
      const { responses } = await get(target);
      expect(responses[0]?.status, target).toBe(400);
      expect(responses[0]?.headers["content-type"]).toContain("application/problem+json");
      expect(JSON.parse(responses[0]?.body ?? "{}")).toMatchObject({
        detail: expect.stringContaining("the path under /api/<service>"),
      });
    }
  });
});
