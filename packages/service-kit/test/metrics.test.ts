import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { buildTestApp } from "./support.ts";

async function scrape(app: ReturnType<typeof buildTestApp>): Promise<{ response: Response; text: string }> {
  const response = await app.request("/metrics");
  return { response, text: await response.text() };
}

describe("GET /metrics", () => {
  it("serves Prometheus text exposition that is not cached", async () => {
    const { response, text } = await scrape(buildTestApp());

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(text).toContain("# TYPE http_requests_total counter");
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    // Default process metrics are collected too.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it("counts requests by method, matched route and status", async () => {
    const app = buildTestApp();
    await app.request("/health");
    await app.request("/health");
    await app.request("/conflict");

    const { text } = await scrape(app);

    expect(text).toContain('http_requests_total{method="GET",route="/health",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/conflict",status="409"} 1');
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} 2$/m);
  });

  it("labels a request that throws with the status the client received", async () => {
    const app = buildTestApp();
    await app.request("/boom");

    const { text } = await scrape(app);

    expect(text).toContain('http_requests_total{method="GET",route="/boom",status="500"} 1');
  });

  it("labels by the route pattern so ids in the path do not become label values", async () => {
    const app = buildTestApp();
    await app.request("/items/4711-first");
    await app.request("/items/4712-second");

    const { text } = await scrape(app);

    expect(text).toContain('http_requests_total{method="GET",route="/items/:id",status="200"} 2');
    expect(text).not.toContain("4711-first");
    expect(text).not.toContain("4712-second");
  });

  it("keeps unmatched paths out of the labels", async () => {
    const app = buildTestApp();
    await app.request("/no/such/route/c0ffee-1234");

    const { text } = await scrape(app);

    expect(text).toMatch(/^http_requests_total\{method="GET",route="[^"]*",status="404"\} 1$/m);
    expect(text).not.toContain("c0ffee-1234");
  });

  it("serves the service's own registry with the HTTP metrics added", async () => {
    const registry = new Registry();
    const jobs = new Counter({ name: "test_jobs_total", help: "Jobs run by the test service.", registers: [registry] });
    jobs.inc(3);
    const app = buildTestApp({ metrics: registry });
    await app.request("/health");

    const { text } = await scrape(app);

    expect(text).toContain("test_jobs_total 3");
    expect(text).toContain('http_requests_total{method="GET",route="/health",status="200"} 1');
  });

  it("keeps the counts of two apps in one process apart", async () => {
    const first = buildTestApp();
    const second = buildTestApp();
    await first.request("/health");

    const { text } = await scrape(second);

    expect(text).not.toContain('route="/health"');
  });
});
