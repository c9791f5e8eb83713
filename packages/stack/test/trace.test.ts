import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Task } from "@devtools/contracts/task";
import { type RunningSimulator, startSimulator } from "@devtools/inference-simulator/server";
import { waitFor } from "@devtools/testkit/poll";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The gateway, the orchestrator and one agent as separate processes, each exporting OTLP/HTTP JSON
// to a receiver this test runs; the agent on the in-process inference simulator. Separate
// processes: the trace can only join up through the W3C headers on the wire (and, between the
// orchestrator's request and its background dispatch, through the task row).

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; arrayValue?: unknown };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

/** A span as the test reads it: which service's process sent it, and its attributes as plain values. */
interface CollectedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const DOCUMENTATION_ONLY = "Write a README for the project";

const plainValue = (value: OtlpValue): unknown =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.arrayValue));
const attributesOf = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map((attribute) => [attribute.key, plainValue(attribute.value)]));

/** A minimal OTLP/HTTP receiver: keeps every span of every `POST /v1/traces` (JSON encoding). */
async function startOtlpReceiver(): Promise<{ url: string; spans: CollectedSpan[]; close: () => Promise<void> }> {
  const spans: CollectedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = String(attributesOf(resource.attributes)["service.name"]);
        for (const { scope, spans: exported } of scopeSpans) {
          for (const span of exported) {
            spans.push({
              service,
              scope: scope.name,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let simulator: RunningSimulator;
let agent: ServiceProcess;
let orchestrator: ServiceProcess;
let gateway: ServiceProcess;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const otel = {
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    // Export within a fifth of a second rather than the default five.
    OTEL_BSP_SCHEDULE_DELAY: "200",
  };
  simulator = await startSimulator({ ttftMs: 10, tokensPerSecond: 50_000 });
  agent = await startService("documentation", { ...otel, INFERENCE_BASE_URL: simulator.url });
  orchestrator = await startService("orchestrator", {
    ...otel,
    DATA_DIR: "memory://",
    DOCUMENTATION_URL: agent.url,
    EXECUTION_POLL_MS: "100",
    TASK_EVENTS_POLL_MS: "100",
  });
  gateway = await startService("gateway", {
    ...otel,
    DATA_DIR: "memory://",
    GATEWAY_AUTH: "off",
    ORCHESTRATOR_URL: orchestrator.url,
    DOCUMENTATION_URL: agent.url,
  });
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), orchestrator?.stop(), agent?.stop()]);
  await simulator?.close();
  await receiver?.close();
});

describe("one trace per task", () => {
  it("follows a task from the gateway through the orchestrator and the agent to the inference call", async () => {
    const response = await fetch(`${gateway.url}/api/orchestrator/orchestrate`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "wait=30" },
      body: JSON.stringify({ description: DOCUMENTATION_ONLY, priority: "medium", planner: "rules" }),
    });
    expect(response.status).toBe(200);
    const task = (await response.json()) as Task;
    expect(task.status).toBe("succeeded");
    expect(task.subtasks.map((subtask) => subtask.agent_type)).toEqual(["documentation"]);

    // Each process exports its spans in its own batches: wait for the last span of each (the gateway's
    // request, the agent's POST /execute after its chat span, the orchestrator's dispatch).
    const entry = await waitFor(
      () =>
        receiver.spans.find(
          (span) => span.service === "gateway" && span.kind === SPAN_KIND_SERVER && span.name.startsWith("POST /api/"),
        ),
      { timeoutMs: 15_000, what: "the gateway's request span" },
    );
    const inTrace = () => receiver.spans.filter((span) => span.traceId === entry.traceId);
    await waitFor(
      () =>
        inTrace().some((span) => span.service === "documentation" && span.name === "POST /execute") &&
        inTrace().some((span) => span.service === "orchestrator" && span.name === "dispatch documentation")
          ? true
          : undefined,
      { timeoutMs: 15_000, what: "the agent's and the orchestrator's spans in the gateway's trace" },
    );
    const spans = inTrace();
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: CollectedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    // Every service took part, in one trace.
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(["gateway", "orchestrator", "documentation"]));
    // Parent links intact: one root (the gateway's request), every other span's parent is in the trace.
    const roots = spans.filter((span) => span.parentSpanId === undefined);
    expect(roots.map((span) => span.spanId)).toEqual([entry.spanId]);
    for (const span of spans) {
      if (span !== entry) expect(parentOf(span), `parent of ${span.service} ${span.name}`).toBeDefined();
    }
    expect(entry.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/api/:service/*",
      "http.response.status_code": 200,
      "devtools.service": "gateway",
    });

    // gateway → orchestrator: the proxied request's client span is the parent of POST /orchestrate.
    const orchestrate = spans.find((span) => span.service === "orchestrator" && span.name === "POST /orchestrate");
    expect(orchestrate?.kind).toBe(SPAN_KIND_SERVER);
    expect(parentOf(orchestrate as CollectedSpan)).toMatchObject({ service: "gateway", kind: SPAN_KIND_CLIENT });
    // The task's rows were written inside the request: a database span under it.
    expect(
      spans.some(
        (span) =>
          span.service === "orchestrator" &&
          span.attributes["db.system.name"] === "postgresql" &&
          parentOf(span)?.spanId === orchestrate?.spanId,
      ),
    ).toBe(true);

    // The background dispatch continues the request's trace from the task row.
    const dispatch = spans.find((span) => span.name === "dispatch documentation") as CollectedSpan;
    expect(dispatch.attributes).toMatchObject({
      "devtools.task.id": task.task_id,
      "devtools.agent_type": "documentation",
    });
    expect(parentOf(dispatch)?.spanId).toBe(orchestrate?.spanId);

    // orchestrator → agent: its undici span is the parent of the agent's POST /execute.
    const execute = spans.find((span) => span.service === "documentation" && span.name === "POST /execute");
    const call = parentOf(execute as CollectedSpan);
    expect(call).toMatchObject({ service: "orchestrator", kind: SPAN_KIND_CLIENT });
    expect(parentOf(call as CollectedSpan)?.spanId).toBe(dispatch.spanId);

    // agent → inference: the GenAI span, under the agent's request, parent of the HTTP call to the backend.
    const chat = spans.find(
      (span) => span.service === "documentation" && span.name.startsWith("chat "),
    ) as CollectedSpan;
    expect(chat.kind).toBe(SPAN_KIND_CLIENT);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "server.address": "127.0.0.1",
    });
    expect(chat.attributes["gen_ai.request.model"]).toEqual(expect.any(String));
    expect(chat.attributes["gen_ai.response.model"]).toEqual(expect.any(String));
    expect(chat.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(chat.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    let ancestor = parentOf(chat);
    while (ancestor && ancestor !== execute) ancestor = parentOf(ancestor);
    expect(ancestor, "the chat span descends from the agent's POST /execute").toBe(execute);
    const backendCall = spans.find((span) => span.parentSpanId === chat.spanId && span.kind === SPAN_KIND_CLIENT);
    expect(backendCall?.attributes["url.full"]).toContain("/v1/chat/completions");
  });

  it("continues an MCP tools/call's _meta.traceparent through the gateway to the orchestrator", async () => {
    const traceId = randomBytes(16).toString("hex");
    const callerSpanId = randomBytes(8).toString("hex");
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: {
          name: "list_tasks",
          arguments: {},
          _meta: { traceparent: `00-${traceId}-${callerSpanId}-01` },
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain('"isError":true');

    // The tool call's span is the caller's child, and the orchestrator's request joins the same trace.
    // Each process exports its spans in its own batches: wait for both, not only the first to arrive.
    const spans = await waitFor(
      () => {
        const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
        const arrived =
          inTrace.some((span) => span.service === "orchestrator" && span.kind === SPAN_KIND_SERVER) &&
          inTrace.some((span) => span.service === "gateway" && span.name === "tools/call list_tasks");
        return arrived ? inTrace : undefined;
      },
      { timeoutMs: 10_000, what: "the tool call's spans" },
    );
    const toolCall = spans.find((span) => span.service === "gateway" && span.name === "tools/call list_tasks");
    expect(toolCall?.parentSpanId).toBe(callerSpanId);
    const listed = spans.find((span) => span.service === "orchestrator" && span.kind === SPAN_KIND_SERVER);
    expect(listed?.name).toBe("GET /tasks");
  });

  it("writes the trace and span ids into the log lines of a traced request", async () => {
    const line = orchestrator.output
      .map((text) => {
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .find((entry) => entry?.msg === "request" && entry.route === "/orchestrate");
    expect(line).toMatchObject({
      trace_id: expect.stringMatching(/^[\da-f]{32}$/),
      span_id: expect.stringMatching(/^[\da-f]{16}$/),
    });
    const span = receiver.spans.find((candidate) => candidate.spanId === line?.span_id);
    expect(span).toMatchObject({ service: "orchestrator", name: "POST /orchestrate", traceId: line?.trace_id });
  });
});
