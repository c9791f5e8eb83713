import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ProviderSpec } from "../provider-specs.ts";

/** A connected provider: the SDK client that forwards calls, and the tools it offered when it connected. */
export interface ProviderConnection {
  client: Client;
  endpoint: string;
  tools: Tool[];
}

const LONGEST_TOOL_LIST = 50;

/**
 * Where the provider's MCP endpoint is: `mcp=` when set; else the `streamable-http` remote of its
 * server card (the capabilities path) when it publishes one; else `<base_url>/mcp`.
 */
export async function resolveEndpoint(spec: ProviderSpec, timeoutMs: number): Promise<string> {
  if (spec.mcpPath) return `${spec.baseUrl}${spec.mcpPath}`;
  try {
    const response = await fetch(`${spec.baseUrl}${spec.capabilitiesPath}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) {
      const card = (await response.json()) as { remotes?: { type?: unknown; url?: unknown }[] };
      const remote = card.remotes?.find((entry) => entry.type === "streamable-http" && typeof entry.url === "string");
      if (remote) return new URL(String(remote.url), `${spec.baseUrl}/`).toString();
    } else {
      await response.body?.cancel();
    }
  } catch {
    // No readable card: the conventional path below.
  }
  return `${spec.baseUrl}/mcp`;
}

/** Connects to the provider over Streamable HTTP and reads its tools (every page), keeping those `tools=` allows. */
export async function connectProvider(
  spec: ProviderSpec,
  options: { timeoutMs: number; version: string },
): Promise<ProviderConnection> {
  const endpoint = await resolveEndpoint(spec, options.timeoutMs);
  const client = new Client({ name: "devtools-gateway", version: options.version });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)), { timeout: options.timeoutMs });
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < LONGEST_TOOL_LIST; page++) {
      const listed = await client.listTools(cursor ? { cursor } : {}, { timeout: options.timeoutMs });
      tools.push(...listed.tools);
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    return { client, endpoint, tools: tools.filter((tool) => !spec.tools || spec.tools.has(tool.name)) };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}
