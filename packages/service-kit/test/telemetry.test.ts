import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenAPIHono } from "@hono/zod-openapi";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp } from "../src/app.ts";
import { parseEnvironment, serviceEnvironment } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { telemetryConfigFrom, tracingRequested } from "../src/telemetry/config.ts";
import { startTelemetry } from "../src/telemetry/sdk.ts";

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
const lines: Record<string, unknown>[] = [];
const logger = createLogger("traced-service", "info", {
  destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
});
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

// An upstream that answers with the trace headers it received.
const upstream = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
});
let upstreamUrl: string;

function buildApp() {
  const app = createServiceApp({ name: "traced-service", version: "1.0.0", description: "test", logger });
  app.route(
    "/",
    new OpenAPIHono()
      .get("/items/:id", (c) => {
        c.get("logger").info("inside the handler");
        return c.json({ id: c.req.param("id") });
      })
      .get("/boom", () => {
        throw new Error("kaput");
      })
      .get("/relay", async (c) => {
        // As the gateway's proxy does: the caller's headers, traceparent included, go on upstream
        // (Node's fetch is undici, and reports on the same diagnostics channels).
        const answer = await fetch(upstreamUrl, { headers: { traceparent: c.req.header("traceparent") ?? "" } });
        return c.json(await answer.json());
      }),
  );
  return app;
}

/** The spans ended so far (the processor exports asynchronously). */
async function finishedSpans(): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  return exporter.getFinishedSpans();
}
const spansNamed = async (name: string) => (await finishedSpans()).filter((span) => span.name === name);

beforeAll(async () => {
  await startTelemetry({ service: "traced-service", env: {}, spanProcessors: [processor] });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

describe("request spans", () => {
  it("continue the caller's traceparent, named by method and route, with the HTTP attributes", async () => {
    const app = buildApp();
    const response = await app.request("http://localhost:9999/items/42?full=1", {
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, "user-agent": "vitest" },
    });
    expect(response.status).toBe(200);
    const [span] = await spansNamed("GET /items/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.route": "/items/:id",
      "http.response.status_code": 200,
      "url.path": "/items/42",
      "url.query": "full=1",
      "server.port": 9999,
      "user_agent.original": "vitest",
      "devtools.service": "traced-service",
    });
    expect(span?.instrumentationScope.name).toBe("traced-service");
  });

  it("mark a 5xx as failed and leave probes untraced", async () => {
    const app = buildApp();
    expect((await app.request("/boom")).status).toBe(500);
    const [span] = await spansNamed("GET /boom");
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("Error");
    expect((await app.request("/health")).status).toBe(200);
    expect((await finishedSpans()).some((finished) => finished.attributes["url.path"] === "/health")).toBe(false);
  });

  it("put the span's trace and span ids on every log line of the request", async () => {
    lines.length = 0;
    await buildApp().request("/items/7", { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    const span = (await spansNamed("GET /items/:id")).at(-1);
    const inside = lines.find((line) => line.msg === "inside the handler");
    const wide = lines.find((line) => line.msg === "request");
    for (const line of [inside, wide]) {
      expect(line).toMatchObject({
        trace_id: CALLER_TRACE,
        span_id: span?.spanContext().spanId,
        request_id: expect.any(String),
      });
    }
  });
});

describe("outgoing undici calls", () => {
  it("get a client span whose traceparent replaces the one the caller sent along", async () => {
    const app = buildApp();
    const response = await app.request("/relay", { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    const { traceparent } = (await response.json()) as { traceparent: string };
    const client = (await finishedSpans()).find((span) => span.kind === SpanKind.CLIENT && span.name === "GET");
    expect(client?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(client?.attributes["devtools.service"]).toBe("traced-service");
    // One header, naming our client span, not the caller's id appended to it.
    expect(traceparent).toBe(`00-${CALLER_TRACE}-${client?.spanContext().spanId}-01`);
    expect(client?.parentSpanContext?.spanId).toBe((await spansNamed("GET /relay"))[0]?.spanContext().spanId);
  });

  it("are not traced outside traced work, so background polls start no traces", async () => {
    await finishedSpans();
    exporter.reset();
    await context.with(trace.deleteSpan(context.active()), async () => {
      const answer = await fetch(upstreamUrl);
      await answer.json();
    });
    expect(await finishedSpans()).toEqual([]);
  });
});

describe("configuration", () => {
  it("turns tracing on only when an exporter is asked for", () => {
    expect(tracingRequested(telemetryConfigFrom({}))).toBe(false);
    expect(tracingRequested(telemetryConfigFrom({ OTEL_TRACES_EXPORTER: "none" }))).toBe(false);
    expect(tracingRequested(telemetryConfigFrom({ OTEL_TRACES_EXPORTER: "otlp" }))).toBe(true);
    expect(tracingRequested(telemetryConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }))).toBe(true);
    expect(tracingRequested(telemetryConfigFrom({ OTEL_TRACES_EXPORTER: "console", OTEL_SDK_DISABLED: "true" }))).toBe(
      false,
    );
  });

  it("refuses a misspelt OTEL_* value, naming the variable", () => {
    expect(() => telemetryConfigFrom({ OTEL_TRACES_EXPORTER: "jaeger" })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => telemetryConfigFrom({ OTEL_EXPORTER_OTLP_PROTOCOL: "http" })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });
});

describe("redaction", () => {
  it("censors the built-in secrets and the paths LOG_REDACT_PATHS adds", () => {
    const config = parseEnvironment(serviceEnvironment, { PORT: "1", LOG_REDACT_PATHS: "body.ssn, *.private_key" });
    expect(config.LOG_REDACT_PATHS).toEqual(["body.ssn", "*.private_key"]);
    const seen: Record<string, unknown>[] = [];
    const redacting = createLogger("redacting", "info", {
      redactPaths: config.LOG_REDACT_PATHS,
      destination: { write: (line: string) => void seen.push(JSON.parse(line) as Record<string, unknown>) },
    });
    redacting.info({
      headers: { authorization: "Bearer abc", "x-api-key": "dtk_123" },
      oauth: { client_secret: "s3cret", refresh_token: "r1" },
      body: { ssn: "078-05-1120", name: "kept" },
      key: { private_key: "-----BEGIN" },
    });
    expect(seen[0]).toMatchObject({
      headers: { authorization: "[redacted]", "x-api-key": "[redacted]" },
      oauth: { client_secret: "[redacted]", refresh_token: "[redacted]" },
      body: { ssn: "[redacted]", name: "kept" },
      key: { private_key: "[redacted]" },
    });
  });

  it("rejects a LOG_REDACT_PATHS entry that is not a pino path", () => {
    expect(() => parseEnvironment(serviceEnvironment, { PORT: "1", LOG_REDACT_PATHS: "body ssn" })).toThrow(
      /LOG_REDACT_PATHS/,
    );
  });
});
