import { createHmac } from "node:crypto";
import { TaskCallback } from "@devtools/contracts/orchestrate";
import { SERVICE_NAMES } from "@devtools/contracts/services";
import {
  endpointFromOpenApi,
  expectServing,
  type FuzzEndpoint,
  type FuzzRequest,
  fc,
  fetchOpenApi,
  fuzzEndpoint,
  fuzzRuns,
  type JsonSchema,
  postPathsOf,
  send,
  streamEndsWell,
} from "@devtools/testkit/fuzz";
import { freePort } from "@devtools/testkit/process";
import {
  createApiKey,
  type StackEnvironment,
  type StackProcess,
  stackEnvironment,
  startStackProcess,
} from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { LinearWebhookEnvelope } from "../../src/linear/webhook-events.ts";

const RUNS = fuzzRuns(1_000);
// Thirteen routes sit behind `/api`: each gets a share, the gateway's own routes the full count.
const PROXIED_RUNS = Math.ceil(RUNS / 5);
const BODY_LIMIT = 1024 * 1024;
const WEBHOOK_SECRET = "fuzz-linear-webhook-secret";
const CALLBACK_SECRET = "fuzz-callback-signing-secret";

const OWN_POST_PATHS = ["/callbacks/linear/{link_id}", "/oauth/linear/revoke", "/webhooks/linear"];
const UPSTREAM_POST_PATHS: Record<string, string[]> = {
  orchestrator: ["/orchestrate", "/tasks/{id}/cancel", "/tasks/{id}/retry"],
  "feature-dev": ["/execute", "/execute/stream"],
  "code-review": ["/execute", "/execute/stream"],
  infrastructure: ["/execute", "/execute/stream"],
  cicd: ["/execute", "/execute/stream"],
  documentation: ["/execute", "/execute/stream"],
};
const UPSTREAMS = SERVICE_NAMES.filter((name) => name !== "gateway");

const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("hex");
const bodyText = (request: FuzzRequest) =>
  typeof request.body === "string" ? request.body : Buffer.from(request.body ?? []).toString("utf8");
// Signed as Linear and the orchestrator sign, so that generated bodies get past the signature to the parsing.
const signedByLinear = (request: FuzzRequest): FuzzRequest => ({
  ...request,
  headers: { ...request.headers, "linear-signature": hmac(WEBHOOK_SECRET, bodyText(request)) },
});
const signedByOrchestrator = (request: FuzzRequest): FuzzRequest => {
  const timestamp = String(Math.floor(Date.now() / 1_000));
  return {
    ...request,
    headers: {
      ...request.headers,
      "x-devtools-timestamp": timestamp,
      "x-devtools-signature": `sha256=${hmac(CALLBACK_SECRET, `${timestamp}.${bodyText(request)}`)}`,
    },
  };
};
// Taken when the request is generated, so that it is fresh when it is sent.
const now = () => fc.constant(null).map(() => Date.now());

// The whole stack as `npm start` runs it (the gateway in front of the orchestrator, the five agents and
// the simulator), planning only, with no rate limit, Linear's signing secrets set and Linear itself
// pointed at a port nothing listens on.
describe("gateway POST endpoints under fuzzing", () => {
  let environment: StackEnvironment;
  let stack: StackProcess;
  let gateway: string;
  let auth: Record<string, string>;
  let document: Awaited<ReturnType<typeof fetchOpenApi>>;
  const upstreamDocuments: Record<string, Awaited<ReturnType<typeof fetchOpenApi>>> = {};
  let mcpRequest: JsonSchema;

  beforeAll(async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    environment = await stackEnvironment({
      EXECUTION_CONCURRENCY: "0",
      RATE_LIMIT_PER_MINUTE: "0",
      LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      CALLBACK_SIGNING_SECRET: CALLBACK_SECRET,
      LINEAR_API_URL: `${nowhere}/graphql`,
      LINEAR_TOKEN_URL: `${nowhere}/token`,
      LINEAR_REVOKE_URL: `${nowhere}/revoke`,
      MCP_ORCHESTRATE_WAIT_SECONDS: "1",
      SIMULATOR_TTFT_MS: "0",
      SIMULATOR_TOKENS_PER_SECOND: "1000000",
      SIMULATOR_PREFILL_TOKENS_PER_SECOND: "10000000",
    });
    auth = { authorization: `Bearer ${createApiKey(environment, "fuzz")}` };
    stack = await startStackProcess(environment);
    gateway = environment.urls.gateway;
    document = await fetchOpenApi(`${gateway}/openapi.json`);
    for (const name of UPSTREAMS) {
      upstreamDocuments[name] = await fetchOpenApi(`${gateway}/api/${name}/openapi.json`, auth);
    }
    mcpRequest = await mcpRequestSchema(gateway, auth);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("fuzzes every POST operation the gateway's openapi.json lists, /mcp, and every POST behind /api", () => {
    expect(postPathsOf(document)).toEqual(OWN_POST_PATHS);
    for (const name of UPSTREAMS) {
      expect(postPathsOf(upstreamDocuments[name] ?? {})).toEqual([...(UPSTREAM_POST_PATHS[name] ?? [])].sort());
    }
  });

  const own = (path: string, extra: Partial<FuzzEndpoint>) =>
    endpointFromOpenApi(document, path, { bodyLimitBytes: BODY_LIMIT, ...extra });
  const OWN_ENDPOINTS: Record<string, () => FuzzEndpoint> = {
    "/webhooks/linear": () =>
      own("/webhooks/linear", {
        body: z.toJSONSchema(LinearWebhookEnvelope) as JsonSchema,
        bodyOverrides: {
          type: fc.constantFrom("Issue", "AgentSessionEvent", "Comment", "", "\u0000"),
          action: fc.constantFrom("create", "update", "created", "remove"),
          webhookTimestamp: now(),
        },
        finish: signedByLinear,
      }),
    "/callbacks/linear/{link_id}": () =>
      own("/callbacks/linear/{link_id}", {
        body: z.toJSONSchema(TaskCallback) as JsonSchema,
        finish: signedByOrchestrator,
      }),
    "/oauth/linear/revoke": () => own("/oauth/linear/revoke", { headers: auth }),
  };

  it.each(OWN_POST_PATHS)(
    `POST %s: ${RUNS} generated (signed where the route checks a signature) and malformed requests get 2xx or a problem+json 4xx, never a 5xx`,
    { timeout: 120_000 },
    async (path) => {
      const endpoint = OWN_ENDPOINTS[path];
      if (!endpoint) throw new Error(`no fuzz endpoint for ${path}`);
      const report = await fuzzEndpoint(gateway, endpoint(), RUNS);
      expect(report.sent).toBeGreaterThanOrEqual(RUNS);
      // Signed, fresh deliveries get through to recording: the deep path ran.
      if (path === "/webhooks/linear") expect(report.statuses[200]).toBeGreaterThan(RUNS / 10);
    },
  );

  it(`POST /mcp: ${RUNS} generated JSON-RPC calls of every tool and malformed bodies get 2xx or a 4xx (problem+json or a JSON-RPC error), never a 5xx`, {
    timeout: 120_000,
  }, async () => {
    const report = await fuzzEndpoint(
      gateway,
      {
        path: "/mcp",
        body: mcpRequest,
        headers: { ...auth, accept: "application/json, text/event-stream" },
        errorFormat: "jsonrpc",
        bodyLimitBytes: BODY_LIMIT,
      },
      RUNS,
    );
    expect(report.statuses[200]).toBeGreaterThan(RUNS / 10);
  });

  it(`POST /api/<service>/…: ${PROXIED_RUNS} generated and malformed requests per proxied route get 2xx or a problem+json 4xx, never a 5xx`, {
    timeout: 180_000,
  }, async () => {
    for (const name of UPSTREAMS) {
      const upstream = upstreamDocuments[name] ?? {};
      for (const path of postPathsOf(upstream)) {
        const endpoint = endpointFromOpenApi(
          upstream,
          path,
          {
            headers: auth,
            bodyLimitBytes: BODY_LIMIT,
            verify: streamEndsWell,
            // A long `Prefer: wait` would hold the request on a task that never runs here.
            parameterValues: { Prefer: fc.constantFrom("wait=0", "wait=x", "") },
          },
          `/api/${name}`,
        );
        await fuzzEndpoint(gateway, endpoint, PROXIED_RUNS);
      }
    }
  });

  it("keeps the gateway and every service behind it healthy and ready, and still plans a valid request", async () => {
    await expectServing(gateway);
    for (const name of UPSTREAMS) await expectServing(environment.urls[name]);
    const answer = await send(gateway, {
      kind: "valid",
      target: "/api/orchestrator/orchestrate",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ description: "Add a health check endpoint", priority: "high" }),
    });
    expect(answer.status).toBe(201);
  });
});

/**
 * JSON-RPC requests an MCP client sends, as a JSON Schema: `initialize`, `ping`, `tools/list`, and a
 * `tools/call` of every tool the gateway lists with arguments from the tool's own input schema.
 */
async function mcpRequestSchema(gateway: string, auth: Record<string, string>): Promise<JsonSchema> {
  const response = await fetch(`${gateway}/mcp`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  const listed = (await response.json()) as { result: { tools: { name: string; inputSchema: JsonSchema }[] } };
  const call = (method: string, params?: JsonSchema): JsonSchema => ({
    type: "object",
    properties: {
      jsonrpc: { const: "2.0" },
      id: { type: ["integer", "string"] },
      method: { const: method },
      ...(params ? { params } : {}),
    },
    required: ["jsonrpc", "id", "method", ...(params ? ["params"] : [])],
  });
  return {
    anyOf: [
      call("initialize", {
        type: "object",
        properties: {
          protocolVersion: { enum: ["2025-06-18", "2025-03-26", "1999-01-01"] },
          capabilities: { type: "object" },
          clientInfo: {
            type: "object",
            properties: { name: { type: "string" }, version: { type: "string" } },
            required: ["name", "version"],
          },
        },
        required: ["protocolVersion", "capabilities", "clientInfo"],
      }),
      call("ping"),
      call("tools/list"),
      ...listed.result.tools.map((tool) =>
        call("tools/call", {
          type: "object",
          properties: { name: { const: tool.name }, arguments: tool.inputSchema },
          required: ["name", "arguments"],
        }),
      ),
    ],
  };
}
