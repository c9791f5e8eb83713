import { Agent, request } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RunningService, serveApp } from "../src/serve.ts";
import { buildTestApp, logger } from "./support.ts";

const running: RunningService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.shutdown("test over")));
});

async function start(
  app = buildTestApp(),
  onShutdown?: () => Promise<void>,
  shutdownTimeoutMs = 5_000,
): Promise<RunningService> {
  const service = await serveApp(app, {
    port: 0,
    host: "127.0.0.1",
    logger,
    shutdownTimeoutMs,
    handleSignals: false,
    ...(onShutdown ? { onShutdown } : {}),
  });
  running.push(service);
  return service;
}

/** A test app whose GET /slow signals `arrived` and answers only once `release` resolves. */
function appWithSlowRoute() {
  const arrived = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const app = buildTestApp();
  app.get("/slow", async (c) => {
    arrived.resolve();
    await release.promise;
    return c.text("finished");
  });
  return { app, arrived, release };
}

/** Opens a fresh TCP connection: "connected", or the error code that refused it. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

interface Answer {
  status: number;
  body: string;
}

/** A GET over node:http, so the test decides whether the connection is kept alive. */
function get(port: number, path: string, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

describe("serveApp", () => {
  it("listens on an ephemeral port and answers over real HTTP", async () => {
    const service = await start();

    expect(service.port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${service.port}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ status: "ok", service: "test-service", version: "1.2.3" });
  });

  it("answers problem+json over real HTTP, request id included", async () => {
    const service = await start();

    const response = await fetch(`http://127.0.0.1:${service.port}/nowhere`);

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { instance?: string }).instance).toBe(response.headers.get("x-request-id"));
  });

  it("rejects a real over-limit upload with 413", async () => {
    const service = await start(buildTestApp({ bodyLimitBytes: 128 }));

    const response = await fetch(`http://127.0.0.1:${service.port}/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(1_000), count: 1 }),
    });

    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("rejects a streamed (chunked) upload that grows past the limit with 413", async () => {
    const service = await start(buildTestApp({ bodyLimitBytes: 128 }));
    const chunk = new TextEncoder().encode(`{"name": "${"x".repeat(100)}`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });

    const response = await fetch(`http://127.0.0.1:${service.port}/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("fails to start with EADDRINUSE when the port is taken", async () => {
    const first = await start();

    await expect(
      serveApp(buildTestApp(), {
        port: first.port,
        host: "127.0.0.1",
        logger,
        shutdownTimeoutMs: 1_000,
        handleSignals: false,
      }),
    ).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("runs beforeClose while a request is still in flight, and onShutdown once it is done", async () => {
    const { app, arrived, release } = appWithSlowRoute();
    const order: string[] = [];
    const service = await serveApp(app, {
      port: 0,
      host: "127.0.0.1",
      logger,
      shutdownTimeoutMs: 5_000,
      handleSignals: false,
      beforeClose: () => order.push("beforeClose"),
      onShutdown: async () => {
        order.push("onShutdown");
      },
    });
    const inFlight = fetch(`http://127.0.0.1:${service.port}/slow`).then((response) => response.text());
    await arrived.promise;

    const stopped = service.shutdown("test");
    expect(order).toEqual(["beforeClose"]);
    release.resolve();
    await stopped;

    expect(await inFlight).toBe("finished");
    expect(order).toEqual(["beforeClose", "onShutdown"]);
  });

  it("lets an in-flight request finish on shutdown, refuses new connections, then runs onShutdown", async () => {
    const { app, arrived, release } = appWithSlowRoute();
    const onShutdown = vi.fn(async () => {});
    const service = await start(app, onShutdown);

    // agent: false → one connection for this request, closed after it.
    const inFlight = get(service.port, "/slow", false);
    await arrived.promise;
    const stopping = service.shutdown("test");

    expect(await tryConnect(service.port)).toBe("ECONNREFUSED");
    expect(onShutdown).not.toHaveBeenCalled();

    release.resolve();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("finished");

    await stopping;
    expect(onShutdown).toHaveBeenCalledTimes(1);
    expect(service.server.listening).toBe(false);
  });

  it("finishes shutdown once an in-flight keep-alive request is answered, not after the grace period", async () => {
    const { app, arrived, release } = appWithSlowRoute();
    const onShutdown = vi.fn(async () => {});
    const service = await start(app, onShutdown, 3_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    try {
      const inFlight = get(service.port, "/slow", agent);
      await arrived.promise;
      const stopping = service.shutdown("test");
      release.resolve();
      const answer = await inFlight;
      const answered = performance.now();
      await stopping;

      expect(answer.status).toBe(200);
      // Nothing is in flight any more: shutdown should finish now, not when the 3 s grace timer cuts the idle
      // keep-alive socket (with the 10 s default, after `docker stop` has already sent SIGKILL).
      expect(performance.now() - answered).toBeLessThan(1_000);
      expect(onShutdown).toHaveBeenCalledTimes(1);
    } finally {
      agent.destroy();
    }
  }, 10_000);

  it("shuts down once however often it is asked", async () => {
    const onShutdown = vi.fn(async () => {});
    const service = await start(buildTestApp(), onShutdown);

    const first = service.shutdown("first");
    const second = service.shutdown("second");

    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(onShutdown).toHaveBeenCalledTimes(1);
  });

  it("does not wait for idle keep-alive connections", async () => {
    const service = await start();
    // Leaves an idle keep-alive connection in fetch's pool.
    const response = await fetch(`http://127.0.0.1:${service.port}/health`);
    await response.text();

    const started = performance.now();
    await service.shutdown("test");

    // Well under both the 5 s grace period and Node's keep-alive timeout.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
