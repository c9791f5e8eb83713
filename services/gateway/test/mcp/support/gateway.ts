import type { LinearOperations } from "@devtools/contracts/linear";
import { openDatabase } from "@devtools/db/client";
import { createServiceApp } from "@devtools/service-kit/app";
import { createLogger } from "@devtools/service-kit/logger";
import { serveApp } from "@devtools/service-kit/serve";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Registry } from "prom-client";
import { loadConfig } from "../../../src/config.ts";
import { mountMcp } from "../../../src/mcp/mount.ts";
import { OrchestratorClient } from "../../../src/upstream/orchestrator-client.ts";
import { upstreamUrlsFrom } from "../../../src/upstream/urls.ts";

export interface RunningGateway {
  url: string;
  stop: () => Promise<void>;
}

/**
 * The gateway's MCP endpoint on a free port, built as the gateway builds it, with `linear` standing
 * in for the Linear concern (its own tests cover it).
 */
export async function startMcpGateway(env: Record<string, string>, linear: LinearOperations): Promise<RunningGateway> {
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: "memory://", ...env });
  const logger = createLogger("gateway", "silent");
  const database = await openDatabase({ kind: "pglite", dataDir: "memory://" });
  const upstreams = upstreamUrlsFrom(config);
  const orchestrator = new OrchestratorClient(upstreams.orchestrator);
  const closing = new AbortController();
  const app = createServiceApp({
    name: "gateway",
    version: "0.0.0",
    description: "test",
    logger,
    metrics: new Registry(),
  });
  const close = mountMcp(app, {
    config,
    logger,
    database,
    metrics: new Registry(),
    orchestrator,
    upstreams,
    closing: closing.signal,
    linear,
  });
  const running = await serveApp(app, {
    port: 0,
    host: "127.0.0.1",
    logger,
    shutdownTimeoutMs: 2_000,
    beforeClose: () => closing.abort(),
    onShutdown: async () => {
      await close();
      await orchestrator.close();
      await database.close();
    },
    handleSignals: false,
  });
  return { url: `http://127.0.0.1:${running.port}`, stop: () => running.shutdown("test over") };
}

/** An MCP client (the official SDK's) connected to the gateway's `/mcp`, with `?app=` when given. */
export async function connectClient(gatewayUrl: string, app?: string): Promise<Client> {
  const client = new Client({ name: "gateway-test", version: "1.0.0" });
  const url = new URL(`${gatewayUrl}/mcp`);
  if (app) url.searchParams.set("app", app);
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}

/** A LinearOperations that records what it was asked and answers like Linear would. */
export function fakeLinear() {
  const calls: { operation: string; input: unknown }[] = [];
  const operations: LinearOperations = {
    searchIssues: async (input) => {
      calls.push({ operation: "searchIssues", input });
      return [
        {
          id: "issue-1",
          identifier: "ENG-1",
          title: `About ${input.query}`,
          url: "https://linear.app/acme/issue/ENG-1",
          state: "Todo",
        },
      ];
    },
    createIssue: async (input) => {
      calls.push({ operation: "createIssue", input });
      return {
        id: "issue-2",
        identifier: "ENG-2",
        title: input.title,
        url: "https://linear.app/acme/issue/ENG-2",
        state: null,
      };
    },
    createComment: async (input) => {
      calls.push({ operation: "createComment", input });
      if (input.issue_id === "ENG-404") throw new Error("Linear has no issue ENG-404");
      return { id: "comment-1", url: "https://linear.app/acme/issue/ENG-1#comment-1" };
    },
  };
  return { operations, calls };
}
