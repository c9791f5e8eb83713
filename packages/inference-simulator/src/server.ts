import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Registry } from "prom-client";
import { apiKeyAuth } from "./auth.ts";
import { SIMULATOR_HEADER, type SimulatorContext, servedModelName } from "./context.ts";
import { Engine, type EngineStats } from "./engine.ts";
import { VllmError } from "./errors.ts";
import { FaultInjector } from "./faults.ts";
import { SimulatorMetrics } from "./metrics.ts";
import { resolveOptions, type SimulatorInput, type SimulatorOptions } from "./options.ts";
import { PrefixCache } from "./prefix-cache.ts";
import { chatCompletionsRoute } from "./routes/chat-completions/post.ts";
import { completionsRoute } from "./routes/completions/post.ts";
import { modelsRoute } from "./routes/models/get.ts";
import { operationsRoutes } from "./routes/operations.ts";
import { tokenizationRoutes } from "./routes/tokenize/post.ts";
import { Scheduler } from "./scheduler.ts";
import type { SimulatorEnv } from "./serve-generation.ts";

export { SIMULATOR_HEADER } from "./context.ts";
export type { EngineStats as SimulatorStats } from "./engine.ts";
export { FAULT_HEADER } from "./faults.ts";
export { DEFAULT_PORT, DEFAULT_SERVED_MODEL_NAME, type SimulatorInput, type SimulatorOptions } from "./options.ts";

export interface Simulator {
  /** The Hono app: `app.fetch` for a server, `app.request()` in-process. */
  app: Hono<SimulatorEnv>;
  options: SimulatorOptions;
  /** The simulator's own Prometheus registry (what GET /metrics serves). */
  registry: Registry;
  /** Scheduler and token counters right now; `maxRunningObserved` is the highest `running` so far. */
  stats: () => EngineStats;
  /** Ends every hung, waiting and running request (their clients see the connection end). */
  shutdown: () => void;
}

export interface RunningSimulator extends Simulator {
  /** Base URL for OpenAI clients, ending in /v1. */
  url: string;
  port: number;
  host: string;
  /** Ends in-flight requests, closes every connection and stops listening. Idempotent. */
  close: () => Promise<void>;
}

/**
 * Builds the simulator: an OpenAI-compatible Hono app that answers like vLLM's server, with its
 * engine state and metrics. Options default as in `simulatorOptionsSchema`. No side effects.
 * @throws z.ZodError naming any bad option.
 */
export function createSimulator(input: SimulatorInput = {}): Simulator {
  const options = resolveOptions(input);
  const scheduler = new Scheduler(options.maxNumSeqs);
  const cache = new PrefixCache({
    blockSize: options.blockSize,
    capacityBlocks: options.numGpuBlocksOverride,
    enabled: options.enablePrefixCaching,
  });
  // The gauge reads the engine, which needs the metrics: the reader is wired once both exist.
  const kvBlocks = { inUse: () => 0 };
  const metrics = new SimulatorMetrics(servedModelName(options), options.maxModelLen, {
    running: () => scheduler.running,
    waiting: () => scheduler.waiting,
    kvCacheUsage: () => Math.min(1, kvBlocks.inUse() / options.numGpuBlocksOverride),
  });
  const engine = new Engine({ scheduler, cache, metrics, latency: options, blockSize: options.blockSize });
  kvBlocks.inUse = () => engine.blocksInUse();
  const shutdown = new AbortController();
  const context: SimulatorContext = {
    options,
    engine,
    faults: new FaultInjector(options, metrics),
    metrics,
    shutdownSignal: shutdown.signal,
  };

  const app = new Hono<SimulatorEnv>();
  app.use(async function simulatorHeader(c, next) {
    c.set("arrivedAt", performance.now());
    await next();
    c.res.headers.set(SIMULATOR_HEADER, "devtools");
  });
  app.use(apiKeyAuth(options.apiKey));
  app.route("/v1/chat/completions", chatCompletionsRoute(context));
  app.route("/v1/completions", completionsRoute(context));
  app.route("/v1/models", modelsRoute(context));
  app.route("/", tokenizationRoutes(context));
  app.route("/", operationsRoutes(context));
  // FastAPI's answer for unknown paths.
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  app.onError((error, c) => {
    if (error instanceof VllmError) return error.toResponse();
    console.error("inference simulator: unexpected error", error);
    return c.json(new VllmError(500, "InternalServerError", "Internal server error").toBody(), 500);
  });

  return {
    app,
    options,
    registry: metrics.registry,
    stats: () => engine.stats(),
    shutdown: () => shutdown.abort(new DOMException("simulator closed", "AbortError")),
  };
}

/** The address a client can dial for a listening host (wildcards mean this machine). */
function dialHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Starts the simulator on `host:port` (defaults 127.0.0.1 and an ephemeral port) and resolves once
 * it listens. @throws z.ZodError for bad options, or the listen error (e.g. EADDRINUSE).
 */
export async function startSimulator(input: SimulatorInput = {}): Promise<RunningSimulator> {
  const simulator = createSimulator(input);
  const { host, port: requestedPort } = simulator.options;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch: simulator.app.fetch, port: requestedPort, hostname: host }, () =>
      resolve(listening),
    );
    listening.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      simulator.shutdown();
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
    return closing;
  };
  return { ...simulator, url: `http://${dialHost(host)}:${port}/v1`, port, host, close };
}
