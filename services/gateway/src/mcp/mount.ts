import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import type { LinearOperations } from "@devtools/contracts/linear";
import { HttpError } from "@devtools/service-kit/errors";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { Context } from "hono";
import pkg from "../../package.json" with { type: "json" };
import type { GatewayDependencies } from "../app.ts";
import { AgentClient } from "../upstream/agent-client.ts";
import { createMcpServer } from "./mcp-server.ts";
import { ProviderRegistry } from "./providers/provider-registry.ts";
import { ToolCatalog } from "./tool-catalog.ts";
import { ToolListSubscribers } from "./tool-list-subscribers.ts";
import { DEFAULT_PROFILE, type ToolMatcher } from "./tool-profiles.ts";
import { agentTools } from "./tools/agent-tools.ts";
import { linearTools } from "./tools/linear-tools.ts";
import { taskTools } from "./tools/task-tools.ts";

const PARSE_ERROR = { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: Invalid JSON" }, id: null };

/** Whether any request in a POST body asked for progress: only those need an event stream for their answer. */
function wantsProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (message) =>
      (message as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta?.progressToken !==
      undefined,
  );
}

/**
 * Mounts the MCP endpoint (`/mcp`, Streamable HTTP, stateless) on the gateway: the orchestrator's
 * task tools, one tool per agent, the Linear tools, and the tools of the healthy `MCP_PROVIDERS`,
 * filtered by the `?app=` profile. The returned function releases what it holds at shutdown.
 */
export function mountMcp(
  app: OpenAPIHono,
  deps: GatewayDependencies & { linear: LinearOperations },
): () => Promise<void> {
  const { config, logger } = deps;
  const agents = new AgentClient(
    Object.fromEntries(AGENT_TYPES.map((agentType) => [agentType, deps.upstreams[agentType]])) as Record<
      AgentType,
      string
    >,
    { internalToken: config.INTERNAL_TOKEN },
  );
  const providers = new ProviderRegistry({
    specs: config.MCP_PROVIDERS,
    logger,
    version: pkg.version,
    intervalMs: config.MCP_PROVIDER_HEALTH_INTERVAL_MS,
    timeoutMs: config.MCP_PROVIDER_TIMEOUT_MS,
    callTimeoutMs: config.MCP_PROVIDER_CALL_TIMEOUT_MS,
  });
  const catalog = new ToolCatalog(
    [
      ...taskTools(deps.orchestrator, { waitSeconds: config.MCP_ORCHESTRATE_WAIT_SECONDS }),
      ...agentTools(agents, { timeoutMs: config.MCP_AGENT_TIMEOUT_MS }),
      ...linearTools(deps.linear),
    ],
    () => providers.tools(),
  );
  const subscribers = new ToolListSubscribers();
  providers.onChange(() => {
    catalog.invalidate();
    subscribers.notify();
  });
  providers.start();
  deps.closing.addEventListener("abort", () => void subscribers.close(), { once: true });

  const serverOptions = { version: pkg.version, logger, validator: new AjvJsonSchemaValidator() };
  const profiles = config.MCP_TOOL_PROFILES;
  const profileOf = (c: Context): ToolMatcher | undefined => {
    const app = c.req.query("app");
    if (app === undefined) return profiles.get(DEFAULT_PROFILE);
    const profile = profiles.get(app);
    if (profile) return profile;
    const known = [...profiles.keys()].join(", ") || "none are configured (MCP_TOOL_PROFILES)";
    throw new HttpError("bad_request", `unknown tool profile app=${app}; known profiles: ${known}`, {
      fields: [{ field: "app", message: "is not a configured tool profile", code: "unknown_profile" }],
    });
  };

  app.on(["GET", "POST", "DELETE"], "/mcp", async (c) => {
    const view = catalog.view(profileOf(c));
    let parsedBody: unknown;
    if (c.req.method === "POST") {
      try {
        parsedBody = JSON.parse(await c.req.text());
      } catch {
        return c.json(PARSE_ERROR, 400);
      }
    }
    // Answers as plain JSON unless something will be streamed: cheaper for the client and for us.
    const streamed = c.req.method === "GET" || wantsProgress(parsedBody);
    const server = createMcpServer(view, serverOptions);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !streamed,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(c.req.raw, parsedBody === undefined ? undefined : { parsedBody });
    // A JSON answer is complete here and leaves nothing running: the server is simply dropped
    // (closing it would cost a fifth of the call). A stream is closed when its client leaves.
    if (streamed && response.ok) {
      const gone = c.req.raw.signal;
      if (c.req.method === "GET") subscribers.add(server, gone);
      else gone.addEventListener("abort", () => void server.close(), { once: true });
    }
    return response;
  });

  return async () => {
    await subscribers.close();
    await providers.close();
    await agents.close();
  };
}
