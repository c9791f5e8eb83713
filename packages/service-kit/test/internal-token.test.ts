import { describe, expect, it } from "vitest";
import { buildTestApp, readProblem } from "./support.ts";

const TOKEN = "the-internal-token-of-the-tests";

describe("the internal token", () => {
  const app = buildTestApp({ internalToken: TOKEN });

  it("refuses a request without it, or with another, as 401 problem+json", async () => {
    const missing = await app.request("/items/1");
    expect(missing.status).toBe(401);
    expect((await readProblem(missing)).detail).toContain("send the internal token");
    for (const authorization of ["Bearer wrong-token", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, "Bearer "]) {
      const response = await app.request("/items/1", { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect((await readProblem(response)).detail).toContain("does not match");
    }
  });

  it("lets a request carrying it through", async () => {
    const response = await app.request("/items/1", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: "1" });
  });

  it("leaves the probes and metrics open, and guards the docs", async () => {
    for (const path of ["/health", "/ready", "/metrics"]) {
      expect((await app.request(path)).status, path).toBe(200);
    }
    expect((await app.request("/openapi.json")).status).toBe(401);
  });

  it("checks nothing when no token is configured", async () => {
    expect((await buildTestApp().request("/items/1")).status).toBe(200);
  });
});
