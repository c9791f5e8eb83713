import type { Logger } from "@devtools/service-kit/logger";
import { type CallToolResult, ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayTool, ToolCallContext } from "../gateway-tool.ts";
import { toolError } from "../gateway-tool.ts";
import type { ProviderSpec } from "../provider-specs.ts";
import { namespacedToolName, shortened } from "../tool-names.ts";
import { connectProvider, type ProviderConnection } from "./provider-connection.ts";

export interface ProviderRegistryOptions {
  specs: readonly ProviderSpec[];
  logger: Logger;
  version: string;
  intervalMs: number;
  timeoutMs: number;
  callTimeoutMs: number;
}

interface ProviderState {
  spec: ProviderSpec;
  connection: ProviderConnection | undefined;
  checking: Promise<void> | undefined;
}

/**
 * The external MCP servers of `MCP_PROVIDERS`: polls each one's health path every interval,
 * connects (SDK client over Streamable HTTP) and reads its tools when it turns healthy, drops them
 * when it stops answering, and tells listeners each time the set of tools changes. Calls are
 * forwarded over the provider's connection, with progress relayed.
 */
export class ProviderRegistry {
  readonly #options: ProviderRegistryOptions;
  readonly #providers: ProviderState[];
  readonly #listeners = new Set<() => void>();
  #tools: readonly GatewayTool[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ProviderRegistryOptions) {
    this.#options = options;
    this.#providers = options.specs.map((spec) => ({ spec, connection: undefined, checking: undefined }));
  }

  /** The healthy providers' tools, namespaced; the same array until the next change. */
  tools(): readonly GatewayTool[] {
    return this.#tools;
  }

  /** Calls `listener` after each change of `tools()`; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Checks every provider now, then every interval. */
  start(): void {
    if (this.#providers.length === 0) return;
    void this.checkAll();
    this.#timer = setInterval(() => void this.checkAll(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** One round of health checks; resolves when every provider's check is done. */
  async checkAll(): Promise<void> {
    await Promise.all(this.#providers.map((provider) => this.#check(provider)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all(this.#providers.map((provider) => provider.checking));
    await Promise.all(this.#providers.map((provider) => this.#disconnect(provider)));
  }

  #check(provider: ProviderState): Promise<void> {
    provider.checking ??= this.#probe(provider).finally(() => {
      provider.checking = undefined;
    });
    return provider.checking;
  }

  async #probe(provider: ProviderState): Promise<void> {
    const { spec } = provider;
    const { logger, timeoutMs, version } = this.#options;
    const healthy = await fetch(`${spec.baseUrl}${spec.healthPath}`, { signal: AbortSignal.timeout(timeoutMs) }).then(
      async (response) => {
        await response.body?.cancel();
        return response.ok;
      },
      () => false,
    );
    if (this.#closed) return;
    if (!healthy) {
      if (provider.connection) {
        logger.warn({ provider: spec.name }, "MCP provider unhealthy; its tools are withdrawn");
        await this.#disconnect(provider);
        this.#rebuild();
      }
      return;
    }
    if (provider.connection) return;
    try {
      provider.connection = await connectProvider(spec, { timeoutMs, version });
    } catch (error) {
      logger.warn({ provider: spec.name, err: error }, "MCP provider answers its health check but not MCP");
      return;
    }
    if (this.#closed) return this.#disconnect(provider);
    logger.info(
      { provider: spec.name, endpoint: provider.connection.endpoint, tools: provider.connection.tools.length },
      "MCP provider healthy; its tools are offered",
    );
    this.#rebuild();
  }

  async #disconnect(provider: ProviderState): Promise<void> {
    const connection = provider.connection;
    provider.connection = undefined;
    await connection?.client.close().catch(() => {});
  }

  /** Names every healthy provider's tools (in configuration order, deterministically) and tells the listeners. */
  #rebuild(): void {
    const taken = new Set<string>();
    const tools: GatewayTool[] = [];
    for (const provider of this.#providers) {
      const connection = provider.connection;
      if (!connection) continue;
      for (const tool of [...connection.tools].sort((a, b) => a.name.localeCompare(b.name))) {
        let name = namespacedToolName(provider.spec.name, tool.name);
        // `a__b` + `c` and `a` + `b__c` read alike: the later one gets a name hashed from both parts.
        if (taken.has(name)) name = shortened(`${provider.spec.name}/${tool.name}`);
        if (taken.has(name)) continue;
        taken.add(name);
        tools.push(this.#forwarded(provider, connection, tool, name));
      }
    }
    this.#tools = tools;
    for (const listener of this.#listeners) listener();
  }

  #forwarded(provider: ProviderState, connection: ProviderConnection, tool: Tool, name: string): GatewayTool {
    const source = provider.spec.name;
    return {
      definition: { ...tool, name, description: `[${source}] ${tool.description ?? tool.name}` },
      call: async (args, context: ToolCallContext): Promise<CallToolResult> => {
        const progress = context.progress;
        try {
          return (await connection.client.callTool(
            { name: tool.name, ...(args ? { arguments: args } : {}) },
            undefined,
            {
              signal: context.signal,
              timeout: this.#options.callTimeoutMs,
              ...(progress
                ? { onprogress: (update) => void progress(update.progress, update.total, update.message) }
                : {}),
            },
          )) as CallToolResult;
        } catch (error) {
          // The provider judged the arguments: the same protocol error, so the client sees whose fault it is.
          if (error instanceof McpError && error.code === ErrorCode.InvalidParams) {
            throw new McpError(ErrorCode.InvalidParams, `${source}: ${error.message}`);
          }
          if (!(error instanceof McpError)) void this.#check(provider);
          const message = error instanceof Error ? error.message : String(error);
          return toolError(`${name} failed: the ${source} MCP server answered: ${message}`);
        }
      },
    };
  }
}
