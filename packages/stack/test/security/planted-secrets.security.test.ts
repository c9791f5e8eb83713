import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort } from "@devtools/testkit/process";
import { type StackEnvironment, type StackProcess, stackEnvironment, startStackProcess } from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyWithAdmin } from "../../../../services/gateway/test/front-door/support.ts";
import {
  FAKE_CLIENT_SECRET,
  type FakeLinear,
  startFakeLinear,
} from "../../../../services/gateway/test/linear/support/fake-linear.ts";
import { labelledIssue, linearSignature } from "../../../../services/gateway/test/linear/support/webhooks.ts";

// The stack as `npm start` runs it, logging at trace level, with a planted value in every secret
// variable. Normal and error paths are driven through it; afterwards no secret may appear, in clear
// or encoded, in any line it wrote or in any answer it gave.
const planted = (name: string) => `planted-${name}-${randomBytes(9).toString("hex")}`;
const SECRETS = {
  INTERNAL_TOKEN: planted("internal-token"),
  LINEAR_WEBHOOK_SECRET: planted("webhook-secret"),
  CALLBACK_SIGNING_SECRET: planted("callback-secret"),
  INFERENCE_API_KEY: planted("inference-key"),
  LINEAR_API_KEY: planted("linear-api-key"),
  DATABASE_PASSWORD: planted("db-password"),
};
const ENCRYPTION_KEY = randomBytes(32);

/** Every form a secret could leak in: clear, base64, base64url, hex, URL-encoded. */
const formsOf = (secret: string) => [
  ...new Set([
    secret,
    Buffer.from(secret).toString("base64"),
    Buffer.from(secret).toString("base64url"),
    Buffer.from(secret).toString("hex"),
    encodeURIComponent(secret),
  ]),
];

interface Seen {
  what: string;
  status: number;
  headers: string;
  body: string;
}

let linear: FakeLinear;
let database: TestDatabase | undefined;
let environment: StackEnvironment;
let stack: StackProcess;
let apiKey: string;
const answers: Seen[] = [];

beforeAll(async () => {
  linear = await startFakeLinear();
  const deadPort = await freePort();
  environment = await stackEnvironment({
    ...linear.env,
    LOG_LEVEL: "trace",
    INTERNAL_TOKEN: SECRETS.INTERNAL_TOKEN,
    LINEAR_WEBHOOK_SECRET: SECRETS.LINEAR_WEBHOOK_SECRET,
    CALLBACK_SIGNING_SECRET: SECRETS.CALLBACK_SIGNING_SECRET,
    LINEAR_API_KEY: SECRETS.LINEAR_API_KEY,
    TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY.toString("base64"),
    INFERENCE_API_KEY: SECRETS.INFERENCE_API_KEY,
    // The simulator demands the key (so the agents must send it) and fails a share of its answers.
    SIMULATOR_API_KEY: SECRETS.INFERENCE_API_KEY,
    SIMULATOR_ERROR_RATE: "0.3",
    SIMULATOR_FAULT_SEED: "11",
    // An MCP provider that is down: the gateway's health checks fail against it.
    MCP_PROVIDERS: `down:http://127.0.0.1:${deadPort}`,
    MCP_PROVIDER_HEALTH_INTERVAL_MS: "300",
    EXECUTION_POLL_MS: "100",
    SUBTASK_RETRY_BASE_MS: "50",
    SUBTASK_RETRY_MAX_MS: "200",
    CALLBACK_RETRY_BASE_MS: "50",
  });
  if (await postgresAvailable()) {
    // The machine's PostgreSQL trusts local users, so the password is carried but never needed.
    database = await createTestDatabase("postgres");
    const url = new URL(database.env.DATABASE_URL ?? "");
    url.password = SECRETS.DATABASE_PASSWORD;
    environment.env.DATABASE_URL = url.toString();
  }
  const adminEnv: Record<string, string> = environment.env.DATABASE_URL
    ? { DATABASE_URL: environment.env.DATABASE_URL }
    : { DATA_DIR: join(environment.dataDir, "stack") };
  apiKey = await createKeyWithAdmin("planted", adminEnv);
  stack = await startStackProcess(environment);
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await linear?.close();
  await database?.drop();
});

const urlOf = (name: ServiceName) => environment.env[SERVICES[name].urlVariable] as string;

/** Fetches and records the whole answer (an event stream's first part is enough). */
async function record(what: string, url: string, init: RequestInit = {}): Promise<Seen> {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(45_000), ...init });
  const body = await response.text();
  const seen = { what, status: response.status, headers: JSON.stringify([...response.headers]), body };
  answers.push(seen);
  return seen;
}
const withKey = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${apiKey}`, ...headers });
const withToken = (headers: Record<string, string> = {}) => ({
  authorization: `Bearer ${SECRETS.INTERNAL_TOKEN}`,
  ...headers,
});
const json = { "content-type": "application/json" };

function signedWebhook(payload: unknown, secret = SECRETS.LINEAR_WEBHOOK_SECRET): RequestInit {
  const body = JSON.stringify(payload);
  return {
    method: "POST",
    headers: {
      ...json,
      "linear-signature": linearSignature(secret, body),
      "linear-delivery": randomUUID(),
    },
    body,
  };
}
describe("planted secrets", () => {
  it("drives the normal paths: probes, OAuth connect, a task through the gateway, a Linear-started task", async () => {
    for (const name of SERVICE_NAMES) {
      for (const path of ["/health", "/ready", "/metrics"]) await record(`${name} ${path}`, `${urlOf(name)}${path}`);
      const docs = await record(`${name} openapi`, `${urlOf(name)}/openapi.json`, {
        headers: name === "gateway" ? {} : withToken(),
      });
      expect(docs.status).toBe(200);
    }
    const gateway = urlOf("gateway");
    const authorize = await record("authorize", `${gateway}/oauth/linear/authorize`);
    const consent = await fetch(JSON.parse(authorize.headers).find(([name]: string[]) => name === "location")[1], {
      redirect: "manual",
    });
    const connected = await record("callback", consent.headers.get("location") ?? "");
    expect(connected.status).toBe(200);
    expect(linear.issued).toHaveLength(2);
    // The secrets are in use, not merely set: the client secret went to Linear's token endpoint.
    expect(linear.tokenRequests[0]?.get("client_secret")).toBe(FAKE_CLIENT_SECRET);
    await record("status", `${gateway}/oauth/linear/status`);

    const task = await record("orchestrate", `${gateway}/api/orchestrator/orchestrate`, {
      method: "POST",
      headers: withKey({ ...json, prefer: "wait=30" }),
      body: JSON.stringify({
        description: "Write a Dockerfile for the worker",
        priority: "high",
        planner: "rules",
        // Nothing listens there: the signed callback's delivery fails and is retried.
        callback_url: `http://127.0.0.1:${await freePort()}/hook`,
      }),
    });
    expect([200, 201]).toContain(task.status);
    const taskId = (JSON.parse(task.body) as { task_id: string }).task_id;
    await record("task events", `${gateway}/api/orchestrator/tasks/${taskId}/events`, { headers: withKey() });
    await record("task", `${gateway}/api/orchestrator/tasks/${taskId}`, { headers: withKey() });

    // Linear fails from here on: its tokens expire and it refuses the refresh.
    linear.expireAccessTokens();
    linear.forgetRefreshTokens();
    const webhook = await record("webhook", `${gateway}/webhooks/linear`, signedWebhook(labelledIssue()));
    expect(webhook.status).toBe(200);
    // The result is reported: the OAuth token is refused, its refresh too, then the personal key is tried.
    await waitFor(
      () =>
        linear.graphql.some(
          (call) => call.operation === "CommentCreate" && call.authorization === SECRETS.LINEAR_API_KEY,
        )
          ? true
          : undefined,
      { timeoutMs: 45_000, what: "the gateway to report the Linear task's result with LINEAR_API_KEY" },
    );
    await record("status after Linear failed", `${gateway}/oauth/linear/status`);
  }, 120_000);

  it("drives the error paths: bad auth, bad bodies, an upstream down, inference errors, Linear failing", async () => {
    const gateway = urlOf("gateway");
    await record("no key", `${gateway}/api/orchestrator/tasks`);
    await record("wrong key", `${gateway}/api/orchestrator/tasks`, {
      headers: { authorization: `Bearer dtk_${randomBytes(32).toString("base64url")}` },
    });
    await record("not a key", `${gateway}/api/orchestrator/tasks`, { headers: { "x-api-key": "nope" } });
    for (const name of SERVICE_NAMES.filter((service) => service !== "gateway")) {
      await record(`${name} no token`, `${urlOf(name)}/openapi.json`);
      await record(`${name} wrong token`, `${urlOf(name)}/openapi.json`, {
        headers: { authorization: "Bearer wrong-token-of-some-length" },
      });
    }
    await record("malformed JSON", `${urlOf("orchestrator")}/orchestrate`, {
      method: "POST",
      headers: withToken(json),
      body: '{"description": ',
    });
    await record("invalid body via gateway", `${gateway}/api/orchestrator/orchestrate`, {
      method: "POST",
      headers: withKey(json),
      body: JSON.stringify({ description: 3, priority: "urgent" }),
    });
    await record("wrong media type", `${urlOf("feature-dev")}/execute`, {
      method: "POST",
      headers: withToken({ "content-type": "text/plain" }),
      body: "hello",
    });
    await record("too large", `${urlOf("code-review")}/execute`, {
      method: "POST",
      headers: withToken(json),
      body: JSON.stringify({ padding: "x".repeat(1_100_000) }),
    });
    // Straight to an agent a few times: some of the simulator's answers are injected errors.
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await record("execute", `${urlOf("documentation")}/execute`, {
        method: "POST",
        headers: withToken(json),
        body: JSON.stringify({
          subtask_id: randomUUID(),
          task_id: randomUUID(),
          description: "Document the health endpoints",
          upstream: [],
          idempotency_key: randomUUID(),
        }),
      });
    }
    // The simulator demands INFERENCE_API_KEY: an answered execute proves the agents send it.
    expect(answers.some((answer) => answer.what === "execute" && answer.status === 200)).toBe(true);
    await record("forged webhook", `${gateway}/webhooks/linear`, signedWebhook(labelledIssue(), "not-the-secret"));
    await record("stale webhook", `${gateway}/webhooks/linear`, signedWebhook(labelledIssue(Date.now() - 3_600_000)));
    await record("forged callback", `${gateway}/callbacks/linear/${randomUUID()}`, {
      method: "POST",
      headers: { ...json, "x-devtools-timestamp": "1", "x-devtools-signature": "sha256=00" },
      body: "{}",
    });
    await record("revoke with Linear failing", `${gateway}/oauth/linear/revoke`, {
      method: "POST",
      headers: withKey(),
    });
    const mcp = await record("mcp tool with Linear failing", `${gateway}/mcp`, {
      method: "POST",
      headers: withKey({ ...json, accept: "application/json, text/event-stream" }),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "linear_search_issues", arguments: { query: "login" } },
      }),
    });
    expect(mcp.status).toBe(200);
  }, 60_000);

  it("never shows a secret, in clear or encoded, in any log line or any answer", async () => {
    await stack.stop();
    const output = stack.output();
    // The check reads the lines the failures wrote, not an empty log.
    expect(output).toContain("Linear workspace connected");
    expect(output).toMatch(/"level":"(warn|error)"/);
    const secrets: Record<string, string> = {
      ...SECRETS,
      TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY.toString("base64"),
      TOKEN_ENCRYPTION_KEY_HEX: ENCRYPTION_KEY.toString("hex"),
      LINEAR_CLIENT_SECRET: FAKE_CLIENT_SECRET,
      API_KEY: apiKey,
      ...Object.fromEntries(linear.issued.map((token, index) => [`OAUTH_TOKEN_${index}`, token])),
    };
    if (!database) delete secrets.DATABASE_PASSWORD;
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of formsOf(secret)) {
        for (const line of output.split("\n")) if (line.includes(form)) leaks.push(`${name} in log: ${line}`);
        for (const answer of answers) {
          if (answer.body.includes(form) || answer.headers.includes(form)) leaks.push(`${name} in ${answer.what}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 30_000);
});
