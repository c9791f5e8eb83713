import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyWithAdmin, type FakeUpstream, readProblem, startFakeUpstream } from "./support.ts";

// The gateway as a real process in front of two small HTTP servers standing in for the
// orchestrator and an agent, so that what crosses the proxy can be seen on both sides.
const INTERNAL_TOKEN = "internal-token-for-the-proxy-tests";
const ALLOWED_ORIGIN = "https://app.example.com";

/** A promise with its resolve function, to let a test and a server take turns. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Fails instead of hanging when `promise` does not settle in time (a buffering proxy would hang). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms),
    ),
  ]);
}

/** A GET with exactly these headers; resolves with the status once the body has been read. */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    })
      .on("error", reject)
      .end();
  });
}

let dataDir: string;
let key: string;
let orchestrator: FakeUpstream;
let agent: FakeUpstream;
let gateway: ServiceProcess;
const secondEventMayGo = signal();
const firstUploadChunk = signal<string>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "gateway-proxy-"));
  key = await createKeyWithAdmin("proxy-tests", { DATA_DIR: dataDir });
  orchestrator = await startFakeUpstream(async (request, response) => {
    if (request.url === "/tasks/t1/events") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      response.write('id: 1\nevent: task.started\ndata: {"n":1}\n\n');
      await secondEventMayGo.promise;
      response.end('id: 2\nevent: task.completed\ndata: {"n":2}\n\n');
      return;
    }
    if (request.url === "/upload") {
      const chunks: Buffer[] = [];
      for await (const chunk of request) {
        if (chunks.length === 0) firstUploadChunk.resolve((chunk as Buffer).toString("utf8"));
        chunks.push(chunk as Buffer);
      }
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(Buffer.concat(chunks));
      return;
    }
    response.writeHead(201, {
      "content-type": "application/json",
      location: "/tasks/t2",
      connection: "keep-alive, x-upstream-hop",
      "x-upstream-hop": "1",
      "x-upstream": "orchestrator",
    });
    response.end(JSON.stringify({ path: request.url }));
  });
  agent = await startFakeUpstream((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ agent: true, path: request.url }));
  });
  gateway = await startService("gateway", {
    DATA_DIR: dataDir,
    INTERNAL_TOKEN,
    ORCHESTRATOR_URL: orchestrator.url,
    FEATURE_DEV_URL: `${agent.url}/prefix`,
    CODE_REVIEW_URL: `http://127.0.0.1:${await freePort()}`,
    CORS_ORIGINS: ALLOWED_ORIGIN,
  });
});
afterAll(async () => {
  secondEventMayGo.resolve();
  await gateway?.stop();
  await Promise.all([orchestrator?.close(), agent?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

const withKey = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...headers });

describe("the /api proxy", () => {
  it("maps /api/<service>/<path>?query onto the service's base URL, status and headers included", async () => {
    const response = await fetch(`${gateway.url}/api/orchestrator/orchestrate?wait=1&x=a%20b`, {
      method: "POST",
      headers: withKey({ "content-type": "application/json" }),
      body: JSON.stringify({ description: "anything" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/tasks/t2");
    expect(response.headers.get("x-upstream")).toBe("orchestrator");
    expect(response.headers.get("x-upstream-hop")).toBeNull();
    expect(await response.json()).toEqual({ path: "/orchestrate?wait=1&x=a%20b" });

    const viaPrefix = await fetch(`${gateway.url}/api/feature-dev/capabilities`, { headers: withKey() });
    expect(await viaPrefix.json()).toEqual({ agent: true, path: "/prefix/capabilities" });
  });

  it("sends the internal token and X-Forwarded-*, never the caller's key, cookies or hop-by-hop headers", async () => {
    const before = orchestrator.requests.length;
    // node:http rather than fetch, which does not let a caller set Connection.
    await rawGet(`${gateway.url}/api/orchestrator/tasks`, {
      "x-api-key": key,
      cookie: "session=secret",
      connection: "x-private-hop",
      "x-private-hop": "1",
      "x-request-id": "req-proxy-test-1",
      "x-forwarded-for": "203.0.113.9",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    const seen = orchestrator.requests[before]?.headers ?? {};
    expect(seen.authorization).toBe(`Bearer ${INTERNAL_TOKEN}`);
    expect(seen["x-api-key"]).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen["x-private-hop"]).toBeUndefined();
    expect(seen["x-request-id"]).toBe("req-proxy-test-1");
    expect(seen["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe(new URL(gateway.url).host);
    expect(seen["x-forwarded-prefix"]).toBe("/api/orchestrator");
    expect(seen.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  });

  it("streams an event stream down: the first event arrives before the stream ends", async () => {
    const response = await within(
      fetch(`${gateway.url}/api/orchestrator/tasks/t1/events`, { headers: withKey({ accept: "text/event-stream" }) }),
      5_000,
      "the event stream's headers",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = "";
    while (!received.includes("\n\n")) {
      const chunk = await within(reader.read(), 5_000, "the first event");
      expect(chunk.done).toBe(false);
      received += decoder.decode(chunk.value, { stream: true });
    }
    // The upstream has not ended the stream: it waits for this test to have read the first event.
    expect(received).toContain("event: task.started");
    expect(received).not.toContain("task.completed");
    secondEventMayGo.resolve();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += decoder.decode(chunk.value, { stream: true });
    }
    expect(received).toContain("event: task.completed");
  });

  it("streams a request body up: the service reads its start before the caller has sent the rest", async () => {
    const url = new URL(`${gateway.url}/api/orchestrator/upload`);
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        url,
        { method: "POST", headers: { ...withKey(), "content-type": "text/plain", "content-length": "10" } },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on("error", reject);
      request.write("hello");
      within(firstUploadChunk.promise, 5_000, "the first chunk reaching the service").then(
        () => request.end("world"),
        (error: unknown) => {
          request.destroy();
          reject(error);
        },
      );
    });
    const { status, body } = await answer;
    expect(await firstUploadChunk.promise).toBe("hello");
    expect(status).toBe(200);
    expect(body).toBe("helloworld");
  });

  it("answers 404 naming the services for an unknown one, 502 when a service does not answer", async () => {
    const unknown = await fetch(`${gateway.url}/api/billing/invoices`, { headers: withKey() });
    expect(unknown.status).toBe(404);
    expect((await readProblem(unknown)).detail).toMatch(/no service named "billing".*orchestrator/);

    const down = await fetch(`${gateway.url}/api/code-review/capabilities`, { headers: withKey() });
    expect(down.status).toBe(502);
    expect((await readProblem(down)).detail).toBe("the code-review service is not reachable; try again shortly");
  });
});

describe("headers the front door adds", () => {
  it("puts the security headers on proxied answers and on refusals", async () => {
    for (const response of [
      await fetch(`${gateway.url}/api/orchestrator/tasks`, { headers: withKey() }),
      await fetch(`${gateway.url}/api/orchestrator/tasks`),
    ]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("strict-transport-security")).toContain("max-age=");
      expect(response.headers.get("x-powered-by")).toBeNull();
      await response.arrayBuffer();
    }
  });

  it("answers the preflight of an allowed origin, without asking for a key", async () => {
    const response = await fetch(`${gateway.url}/api/orchestrator/orchestrate`, {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();

    const actual = await fetch(`${gateway.url}/api/orchestrator/tasks`, {
      headers: withKey({ origin: ALLOWED_ORIGIN }),
    });
    expect(actual.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(actual.headers.get("access-control-expose-headers")).toContain("RateLimit-Remaining");
  });

  it("refuses the preflight of any other origin and gives its requests no CORS headers", async () => {
    const preflight = await fetch(`${gateway.url}/api/orchestrator/orchestrate`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect((await readProblem(preflight)).detail).toContain("CORS_ORIGINS");
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();

    const actual = await fetch(`${gateway.url}/api/orchestrator/tasks`, {
      headers: withKey({ origin: "https://evil.example" }),
    });
    expect(actual.headers.get("access-control-allow-origin")).toBeNull();
    expect(actual.headers.get("vary")).toContain("Origin");
  });
});
