import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@devtools/db/client";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort, type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_CLIENT_SECRET,
  FAKE_VIEWER,
  FAKE_WORKSPACE,
  type FakeLinear,
  startFakeLinear,
} from "./support/fake-linear.ts";
import { startFakeOrchestrator } from "./support/fake-orchestrator.ts";
import { linearSignature } from "./support/webhooks.ts";

const WEBHOOK_SECRET = "lin_wh_test_secret_value";
const CALLBACK_SECRET = "callback-signing-secret-for-tests";
const ENCRYPTION_KEY = randomBytes(32).toString("base64");

// The orchestrator is a fake that records calls: the test must decide when the task ends and
// deliver its callback twice, which a real orchestrator (that runs tasks on real agents) does not allow.
describe.each(await testDatabaseKinds())("the gateway's Linear integration on %s", (kind) => {
  let dataDir: string;
  let database: TestDatabase;
  let linear: FakeLinear;
  let orchestrator: Awaited<ReturnType<typeof startFakeOrchestrator>>;
  let gateway: ServiceProcess;
  let gatewayUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gateway-linear-"));
    database = await createTestDatabase(kind, join(dataDir, "db"));
    linear = await startFakeLinear();
    orchestrator = await startFakeOrchestrator();
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gateway = await startService("gateway", {
      ...database.env,
      ...linear.env,
      PORT: String(port),
      MCP_GATEWAY_URL: gatewayUrl,
      ORCHESTRATOR_URL: orchestrator.url,
      LINEAR_ACTOR: "app",
      LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      CALLBACK_SIGNING_SECRET: CALLBACK_SECRET,
      TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
      LOG_LEVEL: "debug",
      // API keys on the revoke route are the front door's concern, tested there.
      GATEWAY_AUTH: "off",
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await orchestrator?.close();
    await linear?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Authorize → Linear's consent (the fake approves at once) → the gateway's callback. */
  async function connect() {
    const authorize = await fetch(`${gatewayUrl}/oauth/linear/authorize`, { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const consent = await fetch(authorize.headers.get("location") ?? "", { redirect: "manual" });
    const callbackUrl = consent.headers.get("location") ?? "";
    const callback = await fetch(callbackUrl);
    return { authorize: new URL(authorize.headers.get("location") ?? ""), callbackUrl, callback };
  }

  const postWebhook = (payload: unknown, headers: Record<string, string> = {}) => {
    const body = JSON.stringify(payload);
    return fetch(`${gatewayUrl}/webhooks/linear`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "linear-signature": linearSignature(WEBHOOK_SECRET, body),
        "linear-delivery": randomUUID(),
        ...headers,
      },
      body,
    });
  };

  const postCallback = (callbackUrl: string, taskId: string, secret = CALLBACK_SECRET) => {
    const body = JSON.stringify({
      task_id: taskId,
      status: "succeeded",
      error: null,
      finished_at: new Date().toISOString(),
      usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    return fetch(callbackUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-devtools-timestamp": timestamp,
        "x-devtools-signature": `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`,
      },
      body,
    });
  };

  const sessionEvent = (sessionId: string, issueId: string) => ({
    type: "AgentSessionEvent",
    action: "created",
    organizationId: FAKE_WORKSPACE.id,
    webhookTimestamp: Date.now(),
    agentSession: {
      id: sessionId,
      issue: { id: issueId, identifier: "ENG-7", title: "Add login", description: "Users sign in with email." },
    },
  });

  it("redirects to Linear's authorize URL with the app's parameters, a state and a PKCE challenge", async () => {
    const authorize = await fetch(`${gatewayUrl}/oauth/linear/authorize`, { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const target = new URL(authorize.headers.get("location") ?? "");
    expect(`${target.origin}${target.pathname}`).toBe(linear.env.LINEAR_AUTHORIZE_URL);
    expect(Object.fromEntries(target.searchParams)).toMatchObject({
      client_id: linear.env.LINEAR_CLIENT_ID,
      redirect_uri: `${gatewayUrl}/oauth/linear/callback`,
      response_type: "code",
      scope: "read,write,issues:create,comments:create,app:assignable,app:mentionable",
      actor: "app",
      code_challenge_method: "S256",
    });
    expect(target.searchParams.get("state")).toMatch(/^[\w-]{40,}$/);
    expect(target.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
  });

  it("exchanges the code with the PKCE verifier, learns the workspace and stores the connection", async () => {
    const { authorize, callbackUrl, callback } = await connect();
    expect(callback.status).toBe(200);
    const exchange = linear.tokenRequests.at(-1);
    expect(exchange?.get("grant_type")).toBe("authorization_code");
    expect(exchange?.get("redirect_uri")).toBe(`${gatewayUrl}/oauth/linear/callback`);
    expect(exchange?.get("client_secret")).toBe(FAKE_CLIENT_SECRET);
    expect(
      createHash("sha256")
        .update(exchange?.get("code_verifier") ?? "")
        .digest("base64url"),
    ).toBe(authorize.searchParams.get("code_challenge"));
    const status = (await (await fetch(`${gatewayUrl}/oauth/linear/status`)).json()) as {
      status: { stored: { expires_at: string } };
    };
    expect(status).toMatchObject({
      success: true,
      status: {
        developerFallback: false,
        stored: {
          workspace: { id: FAKE_WORKSPACE.id, name: FAKE_WORKSPACE.name, url_key: FAKE_WORKSPACE.urlKey },
          actor: "app",
          status: "connected",
          scopes: ["read", "write"],
        },
      },
    });
    expect(Date.parse(status.status.stored.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const shown = JSON.stringify(status);
    for (const token of linear.issued) expect(shown).not.toContain(token);

    // The state is single-use: the same redirect again is refused, and so is a made-up state.
    const again = await fetch(callbackUrl);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ detail: expect.stringMatching(/state/) });
    const forged = await fetch(`${gatewayUrl}/oauth/linear/callback?state=forged&code=x`);
    expect(forged.status).toBe(400);
  });

  it("refuses webhooks with a bad signature, a stale timestamp or a repeated delivery, starting nothing", async () => {
    const event = sessionEvent("session-rejected", "issue-rejected");
    const forged = await postWebhook(event, { "linear-signature": "0".repeat(64) });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(`${gatewayUrl}/webhooks/linear`, { method: "POST", body: JSON.stringify(event) });
    expect(unsigned.status).toBe(401);
    const stale = await postWebhook({ ...event, webhookTimestamp: Date.now() - 61_000 });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ detail: expect.stringMatching(/webhookTimestamp/) });

    const unrelated = {
      type: "Comment",
      action: "create",
      organizationId: FAKE_WORKSPACE.id,
      webhookTimestamp: Date.now(),
    };
    const deliveryId = randomUUID();
    expect((await postWebhook(unrelated, { "linear-delivery": deliveryId })).status).toBe(200);
    const replayed = await postWebhook(unrelated, { "linear-delivery": deliveryId });
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ detail: expect.stringMatching(/already received/) });
    expect(orchestrator.requests).toHaveLength(0);
  });

  it("starts a task for an agent session, thinks at once, and responds once however often webhook and callback come", async () => {
    const event = sessionEvent("session-1", "issue-7");
    const deliveryId = randomUUID();
    const first = await postWebhook(event, { "linear-delivery": deliveryId });
    expect(await first.json()).toEqual({ accepted: true, task_queued: true });
    expect((await postWebhook(event, { "linear-delivery": deliveryId })).status).toBe(400);
    // Linear retrying under a new delivery id does not start a second task either.
    expect(await (await postWebhook(event)).json()).toEqual({ accepted: true, task_queued: false });

    const request = await waitFor(() => orchestrator.requests[0], { what: "the orchestrate call" });
    expect(request.description).toBe("Add login\n\nUsers sign in with email.");
    const thought = await waitFor(() => linear.calls("AgentActivityCreate")[0], { what: "the first thought" });
    expect(thought.variables).toMatchObject({ input: { agentSessionId: "session-1", content: { type: "thought" } } });
    expect(thought.authorization).toMatch(/^Bearer lin_oauth_/);

    const callbackUrl = request.callback_url ?? "";
    expect(callbackUrl).toMatch(new RegExp(`^${gatewayUrl}/callbacks/linear/[\\da-f-]{36}$`));
    const taskId = orchestrator.taskIds[0] ?? "";
    // The task id is kept: a callback for another task is refused.
    expect((await postCallback(callbackUrl, randomUUID())).status).toBe(409);
    expect((await postCallback(callbackUrl, taskId, "a-wrong-secret-of-some-length")).status).toBe(401);

    const [one, two] = await Promise.all([postCallback(callbackUrl, taskId), postCallback(callbackUrl, taskId)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const third = await postCallback(callbackUrl, taskId);
    expect(await third.json()).toEqual({ outcome: "already_reported" });
    const responses = linear.calls("AgentActivityCreate").filter((call) => {
      const content = (call.variables.input as { content: { type: string } }).content;
      return content.type === "response";
    });
    expect(responses).toHaveLength(1);
    const body = String((responses[0]?.variables.input as { content: { body: string } } | undefined)?.content.body);
    expect(body).toContain(`${gatewayUrl}/api/orchestrator/tasks/${taskId}`);
    expect(body).toContain("Added POST /login with session cookies");
    expect(linear.calls("CommentCreate")).toHaveLength(0);
  });

  it("comments once on an issue labelled devtools, refreshing the expired token on Linear's 401", async () => {
    linear.expireAccessTokens();
    const refreshesBefore = linear.grants("refresh_token");
    const event = {
      type: "Issue",
      action: "create",
      organizationId: FAKE_WORKSPACE.id,
      webhookTimestamp: Date.now(),
      data: {
        id: "issue-9",
        identifier: "ENG-9",
        title: "Document the API",
        description: null,
        updatedAt: new Date().toISOString(),
        labels: [{ id: "label-1", name: "DevTools" }],
      },
    };
    expect(await (await postWebhook(event)).json()).toEqual({ accepted: true, task_queued: true });
    // An edit of the issue that does not add the label starts nothing more.
    const edited = {
      ...event,
      action: "update",
      data: { ...event.data, title: "Document the whole API" },
      updatedFrom: { title: "Document the API" },
    };
    expect(await (await postWebhook(edited)).json()).toEqual({ accepted: true, task_queued: false });

    const request = await waitFor(() => orchestrator.requests[1], { what: "the second orchestrate call" });
    expect(request.description).toBe("Document the API");
    const taskId = orchestrator.taskIds[1] ?? "";
    const callbackUrl = request.callback_url ?? "";
    for (const response of [await postCallback(callbackUrl, taskId), await postCallback(callbackUrl, taskId)]) {
      expect(response.status).toBe(200);
    }
    const comments = linear.calls("CommentCreate");
    expect(comments).toHaveLength(1);
    expect(comments[0]?.variables).toMatchObject({ input: { issueId: "issue-9" } });
    expect(linear.refused("CommentCreate")).toBe(1);
    expect(linear.grants("refresh_token")).toBe(refreshesBefore + 1);
  });

  it("revokes both tokens at Linear and forgets them", async () => {
    const revoked = await fetch(`${gatewayUrl}/oauth/linear/revoke`, { method: "POST" });
    expect(revoked.status).toBe(200);
    expect(linear.revocations.map((form) => form.get("token_type_hint")).sort()).toEqual([
      "access_token",
      "refresh_token",
    ]);
    const status = await (await fetch(`${gatewayUrl}/oauth/linear/status`)).json();
    expect(status).toEqual({ success: true, status: { stored: null, developerFallback: false } });
    expect((await fetch(`${gatewayUrl}/oauth/linear/revoke`, { method: "POST" })).status).toBe(404);
  });

  it("keeps no token in clear in the database, and writes no secret to its logs", async () => {
    expect((await connect()).callback.status).toBe(200);
    await gateway.stop();
    const stored = await openDatabase(database.target);
    try {
      const rows = await stored.query<Record<string, unknown>>("select * from linear_connections", []);
      expect(rows).toHaveLength(1);
      expect(String(rows[0]?.access_token_ciphertext)).toMatch(/^v1\./);
      expect(rows[0]?.viewer_id).toBe(FAKE_VIEWER.id);
      const tables = ["linear_connections", "oauth_states", "linear_task_links", "linear_webhook_deliveries"];
      const dump = JSON.stringify(await Promise.all(tables.map((table) => stored.query(`select * from ${table}`, []))));
      for (const token of linear.issued) expect(dump).not.toContain(token);
    } finally {
      await stored.close();
    }
    const logs = gateway.output.join("\n");
    expect(logs).toContain("Linear workspace connected");
    for (const secret of [...linear.issued, FAKE_CLIENT_SECRET, WEBHOOK_SECRET, CALLBACK_SECRET, ENCRYPTION_KEY]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe("the gateway's Linear integration before it is configured", () => {
  let gateway: ServiceProcess;

  beforeAll(async () => {
    gateway = await startService("gateway", {
      DATA_DIR: "memory://",
      LINEAR_CLIENT_ID: "client",
      LINEAR_CLIENT_SECRET: "client-secret",
      LINEAR_API_KEY: "lin_api_personal_key",
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it("refuses to start an authorization it could not store, naming TOKEN_ENCRYPTION_KEY", async () => {
    const response = await fetch(`${gateway.url}/oauth/linear/authorize`, { redirect: "manual" });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ detail: expect.stringMatching(/^TOKEN_ENCRYPTION_KEY is not set/) });
  });

  it("refuses webhooks it cannot verify, naming LINEAR_WEBHOOK_SECRET", async () => {
    const response = await fetch(`${gateway.url}/webhooks/linear`, { method: "POST", body: "{}" });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ detail: expect.stringMatching(/LINEAR_WEBHOOK_SECRET/) });
  });

  it("reports the personal API key as the developer fallback", async () => {
    const status = await (await fetch(`${gateway.url}/oauth/linear/status`)).json();
    expect(status).toEqual({ success: true, status: { stored: null, developerFallback: true } });
  });

  it("documents its Linear routes in the OpenAPI document", async () => {
    const { paths } = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of [
      "/oauth/linear/authorize",
      "/oauth/linear/callback",
      "/oauth/linear/status",
      "/oauth/linear/revoke",
      "/webhooks/linear",
      "/callbacks/linear/{link_id}",
    ]) {
      expect(paths).toHaveProperty([path]);
    }
  });
});
