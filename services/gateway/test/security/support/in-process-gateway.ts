import { type Database, openDatabase } from "@devtools/db/client";
import { createLogger } from "@devtools/service-kit/logger";
import { Registry } from "prom-client";
import { createGatewayApp } from "../../../src/app.ts";
import { loadConfig } from "../../../src/config.ts";
import { OrchestratorClient } from "../../../src/upstream/orchestrator-client.ts";
import { upstreamUrlsFrom } from "../../../src/upstream/urls.ts";

/** The address the in-process gateway believes it has: Linear's redirects come back to it. */
export const GATEWAY_URL = "http://gateway.test";

export interface InProcessGateway {
  /** `app.request`, relative to GATEWAY_URL. */
  request: (path: string, init?: RequestInit) => Promise<Response>;
  database: Database;
  stop: () => Promise<void>;
}

/**
 * The whole gateway app, built as `start` builds it, answering in this process on an embedded
 * database the test can read and write (a clock moved on is an expiry rewritten in a row).
 * `database` replaces the embedded one, for a test that opened (or wraps) its own.
 */
export async function startInProcessGateway(
  env: Record<string, string>,
  database?: Database,
): Promise<InProcessGateway> {
  const config = loadConfig({ DATA_DIR: "memory://", MCP_GATEWAY_URL: GATEWAY_URL, ...env });
  const db = database ?? (await openDatabase({ kind: "pglite", dataDir: "memory://" }));
  const upstreams = upstreamUrlsFrom(config);
  const orchestrator = new OrchestratorClient(upstreams.orchestrator, { internalToken: config.INTERNAL_TOKEN });
  const closing = new AbortController();
  const { app, close } = createGatewayApp({
    config,
    logger: createLogger("gateway", "silent"),
    database: db,
    metrics: new Registry(),
    orchestrator,
    upstreams,
    closing: closing.signal,
  });
  return {
    request: async (path, init) => app.request(new URL(path, GATEWAY_URL).toString(), init),
    database: db,
    stop: async () => {
      closing.abort();
      await close();
      await orchestrator.close();
      await db.close();
    },
  };
}
