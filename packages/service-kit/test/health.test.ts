import { describe, expect, it } from "vitest";
import { buildTestApp } from "./support.ts";

interface ReadyBody {
  status: string;
  service: string;
  checks: Record<string, { status: string; latency_ms: number; error?: string }>;
}

describe("GET /health", () => {
  it("answers exactly the status, service name and version", async () => {
    const response = await buildTestApp().request("/health");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toStrictEqual({ status: "ok", service: "test-service", version: "1.2.3" });
  });

  it("does not run readiness checks", async () => {
    let probed = 0;
    const app = buildTestApp({
      readiness: {
        database: async () => {
          probed += 1;
          throw new Error("down");
        },
      },
    });

    const response = await app.request("/health");

    expect(response.status).toBe(200);
    expect(probed).toBe(0);
  });
});

describe("GET /ready", () => {
  it("is ready with no checks when the service has no dependencies", async () => {
    const response = await buildTestApp().request("/ready");

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ status: "ready", service: "test-service", checks: {} });
  });

  it("reports each passing check with its latency", async () => {
    const app = buildTestApp({ readiness: { database: async () => "pong", queue: async () => undefined } });

    const response = await app.request("/ready");
    const body = (await response.json()) as ReadyBody;

    expect(response.status).toBe(200);
    expect(body.status).toBe("ready");
    expect(Object.keys(body.checks).sort()).toEqual(["database", "queue"]);
    for (const check of Object.values(body.checks)) {
      expect(check.status).toBe("ok");
      expect(check.latency_ms).toBeGreaterThanOrEqual(0);
      expect(check.error).toBeUndefined();
    }
  });

  it("answers 503 not_ready with the failing check's error when a check rejects", async () => {
    const app = buildTestApp({
      readiness: {
        database: async () => {
          throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        },
        cache: async () => "ok",
      },
    });

    const response = await app.request("/ready");
    const body = (await response.json()) as ReadyBody;

    expect(response.status).toBe(503);
    expect(body.status).toBe("not_ready");
    expect(body.service).toBe("test-service");
    expect(body.checks.database).toMatchObject({ status: "failed", error: "connect ECONNREFUSED 127.0.0.1:5432" });
    expect(body.checks.cache).toMatchObject({ status: "ok" });
  });

  it("reports a check that hangs as failed once its signal times out", async () => {
    let sawAbort = false;
    const app = buildTestApp({
      readiness: {
        // Never answers by itself: settles only when the kit aborts the probe.
        stuck: (signal) =>
          new Promise((_, reject) => {
            signal.addEventListener("abort", () => {
              sawAbort = true;
              reject(signal.reason);
            });
          }),
      },
    });

    const response = await app.request("/ready");
    const body = (await response.json()) as ReadyBody;

    expect(response.status).toBe(503);
    expect(body.status).toBe("not_ready");
    expect(sawAbort).toBe(true);
    expect(body.checks.stuck?.status).toBe("failed");
    expect(body.checks.stuck?.error).toMatch(/timeout|timed out|aborted/i);
    // The kit's probe timeout is 2 s; allow for timer granularity.
    expect(body.checks.stuck?.latency_ms).toBeGreaterThanOrEqual(1_900);
  });
});
