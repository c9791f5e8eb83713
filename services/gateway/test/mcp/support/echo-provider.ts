import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

/**
 * An external MCP server for the aggregation tests: the SDK's McpServer, stateless over Streamable
 * HTTP at `/rpc` (which its server card at `/.well-known/mcp.json` names), with a `/health` route.
 * `stop` and `start` again on the same port play a provider going down and coming back.
 */
export async function startEchoProvider() {
  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    server = createServer(async (request, response) => {
      if (request.url === "/health") {
        response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      } else if (request.url === "/.well-known/mcp.json") {
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ name: "echo", remotes: [{ type: "streamable-http", url: "/rpc" }] }));
      } else if (request.url === "/rpc" && request.method === "POST") {
        const mcp = echoServer();
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: false,
        });
        response.on("close", () => void mcp.close());
        await mcp.connect(transport);
        await transport.handleRequest(request, response);
      } else {
        response.writeHead(request.url === "/rpc" ? 405 : 404).end();
      }
    });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
    });
  await start();
  return { url: () => `http://127.0.0.1:${port}`, start, stop };
}

function echoServer(): McpServer {
  const mcp = new McpServer({ name: "echo", version: "1.0.0" });
  mcp.registerTool(
    "shout",
    { description: "Answers the text in capitals.", inputSchema: { text: z.string().min(1) } },
    async ({ text }, extra) => {
      const token = extra._meta?.progressToken;
      if (token !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: 1, total: 1 },
        });
      }
      return { content: [{ type: "text", text: text.toUpperCase() }] };
    },
  );
  mcp.registerTool(
    "whisper",
    { description: "Not exposed: tools= leaves it out.", inputSchema: { text: z.string() } },
    async ({ text }) => ({
      content: [{ type: "text", text: text.toLowerCase() }],
    }),
  );
  return mcp;
}
