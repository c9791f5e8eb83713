import type { Logger } from "@devtools/service-kit/logger";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import { toolError } from "./gateway-tool.ts";
import { traceToolCall } from "./tool-call-trace.ts";
import type { ToolView } from "./tool-catalog.ts";

const CAPABILITIES: ServerCapabilities = { tools: { listChanged: true } };

const INSTRUCTIONS =
  "devtools turns plain-language engineering requests into subtasks for five specialist agents. " +
  "Use orchestrate for a request (with a progress token it reports subtasks done/total and waits for the result), " +
  "get_task and list_tasks to follow tasks, cancel_task to stop one, an agent's own tool for a single job, and the linear_ tools for the connected Linear workspace.";

export interface McpServerOptions {
  version: string;
  logger: Logger;
  /** Shared by every request's server: building an Ajv instance per request would cost more than the call. */
  validator: jsonSchemaValidator;
}

/**
 * The low-level SDK server for one HTTP request (the endpoint is stateless: any replica answers
 * any request). `McpServer` is not used because it converts every tool's zod schema on each
 * `tools/list` and turns invalid arguments into tool errors; here the definitions are built once
 * and invalid arguments are the protocol's invalid-params error.
 */
export function createMcpServer(view: ToolView, options: McpServerOptions): Server {
  const server = new Server(
    { name: "devtools-gateway", title: "devtools", version: options.version },
    { capabilities: CAPABILITIES, instructions: INSTRUCTIONS, jsonSchemaValidator: options.validator },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: view.definitions }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const tool = view.byName.get(name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${name}`);
    const token = request.params._meta?.progressToken;
    const progress =
      token === undefined
        ? undefined
        : (value: number, total?: number, message?: string) =>
            extra.sendNotification({
              method: "notifications/progress",
              params: {
                progressToken: token,
                progress: value,
                ...(total === undefined ? {} : { total }),
                ...(message ? { message } : {}),
              },
            });
    try {
      return await traceToolCall(name, request.params._meta, () => tool.call(args, { signal: extra.signal, progress }));
    } catch (error) {
      if (error instanceof McpError) throw error;
      if (extra.signal.aborted) return toolError(`${name} was cancelled`);
      options.logger.warn({ err: error, tool: name }, "MCP tool call failed");
      return toolError(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return server;
}
