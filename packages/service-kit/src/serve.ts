import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Logger } from "./logger.ts";
import { shutdownTelemetry } from "./telemetry/sdk.ts";

// A service's entry point starts the process's telemetry before the service (see telemetry/sdk.ts).
export { startTelemetry, type Telemetry } from "./telemetry/sdk.ts";

export interface ServeOptions {
  port: number;
  host: string;
  logger: Logger;
  /** How long in-flight requests may take to finish after SIGTERM before connections are cut. */
  shutdownTimeoutMs: number;
  /**
   * Runs as shutdown begins, before the server waits for its connections: stop what would keep
   * requests open (event streams) or start new work (background workers).
   */
  beforeClose?: () => void;
  /** Closes what the service opened (pools, workers), after the server has stopped. */
  onShutdown?: () => Promise<void>;
  /** Stop on SIGTERM/SIGINT and exit; off when a host runs several services in one process. */
  handleSignals?: boolean;
}

export interface RunningService {
  server: ServerType;
  port: number;
  /** Stops accepting, waits for in-flight requests, then runs `onShutdown`. Idempotent. */
  shutdown: (reason: string) => Promise<void>;
}

/** Listens, logs where, and shuts down gracefully on SIGTERM/SIGINT. */
export async function serveApp(
  app: { fetch: Parameters<typeof serve>[0]["fetch"] },
  options: ServeOptions,
): Promise<RunningService> {
  const { logger } = options;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, `listening on http://${options.host}:${port}`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down");
      options.beforeClose?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets would hold close() open: drop each one as soon as its last response is out.
      const sweep = setInterval(() => {
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      }, 50);
      const timer = setTimeout(() => {
        logger.warn("grace period over; closing remaining connections");
        if ("closeAllConnections" in server) server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      await options.onShutdown?.();
      logger.info("stopped");
    })();
    return stopping;
  };
  for (const signal of options.handleSignals === false ? [] : (["SIGTERM", "SIGINT"] as const)) {
    process.once(signal, () => {
      shutdown(signal)
        .then(() => flushTelemetry(logger))
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            process.exit(1);
          },
        );
    });
  }
  return { server, port, shutdown };
}

/**
 * Exports the spans still buffered (the last requests' and the shutdown's own) before the process
 * exits; a collector that is gone costs a log line, never the exit.
 */
export async function flushTelemetry(logger: Logger): Promise<void> {
  try {
    await shutdownTelemetry();
  } catch (error) {
    logger.warn({ err: error }, "could not export the last spans");
  }
}

/** How a host starts a service: with its environment, and whether it owns the process's signals. */
export interface StartOptions {
  env: Record<string, string | undefined>;
  handleSignals?: boolean;
}

/** Runs a service's `main`, turning a start-up failure into one clear message and exit code 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    const err = error as NodeJS.ErrnoException;
    const message = err.code === "EADDRINUSE" ? `port already in use (${err.message})` : (err.message ?? String(err));
    console.error(`start-up failed: ${message}`);
    process.exit(1);
  });
}
