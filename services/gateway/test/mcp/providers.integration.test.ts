import { waitFor } from "@devtools/testkit/poll";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ErrorCode, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoProvider } from "./support/echo-provider.ts";
import { connectClient, fakeLinear, type RunningGateway, startMcpGateway } from "./support/gateway.ts";

// An external MCP server (the SDK's own) aggregated by a gateway that polls its health every 100 ms.
describe("external MCP servers behind /mcp", () => {
  let provider: Awaited<ReturnType<typeof startEchoProvider>>;
  let gateway: RunningGateway;
  let client: Client;
  const listChanges: number[] = [];

  const toolNames = async (c: Client = client) => (await c.listTools()).tools.map((tool) => tool.name);

  beforeAll(async () => {
    provider = await startEchoProvider();
    gateway = await startMcpGateway(
      {
        ORCHESTRATOR_URL: "http://127.0.0.1:9",
        MCP_PROVIDERS: `echo:${provider.url()}|tools=shout`,
        MCP_PROVIDER_HEALTH_INTERVAL_MS: "100",
        MCP_PROVIDER_TIMEOUT_MS: "1000",
        MCP_TOOL_PROFILES: '{"windsurf":["get_task","echo__*"]}',
      },
      fakeLinear().operations,
    );
    client = await connectClient(gateway.url);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanges.push(Date.now());
    });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await provider?.stop();
  });

  it("lists the provider's allowed tools, namespaced, beside the gateway's own", async () => {
    const names = await waitFor(async () => {
      const listed = await toolNames();
      return listed.includes("echo__shout") ? listed : undefined;
    });
    expect(names).toEqual(expect.arrayContaining(["orchestrate", "get_task", "cicd", "linear_comment", "echo__shout"]));
    expect(names).not.toContain("echo__whisper");
  });

  it("forwards a call to the provider and relays its progress", async () => {
    const progress: number[] = [];
    const result = await client.callTool({ name: "echo__shout", arguments: { text: "hello" } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
    });
    expect(result.content).toEqual([{ type: "text", text: "HELLO" }]);
    expect(result.isError).toBeFalsy();
    expect(progress).toEqual([1]);
  });

  it("passes the provider's own tool error through unchanged", async () => {
    // The SDK's McpServer answers bad arguments as a tool error rather than invalid-params.
    const result = await client.callTool({ name: "echo__shout", arguments: { text: "" } });
    expect(result).toMatchObject({
      isError: true,
      content: [{ type: "text", text: expect.stringContaining("Invalid arguments for tool shout") }],
    });
  });

  it("shows a ?app= profile only its tools, and refuses an unknown profile naming it", async () => {
    const windsurf = await connectClient(gateway.url, "windsurf");
    try {
      expect((await toolNames(windsurf)).sort()).toEqual(["echo__shout", "get_task"]);
      await expect(windsurf.callTool({ name: "orchestrate", arguments: { description: "x" } })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringContaining("unknown tool: orchestrate"),
      });
    } finally {
      await windsurf.close();
    }
    const response = await fetch(`${gateway.url}/mcp?app=vscode`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      detail: expect.stringContaining("app=vscode; known profiles: windsurf"),
    });
  });

  it("drops the provider's tools while it is down, notifying open streams, and offers them again once it is back", async () => {
    const changesBefore = listChanges.length;
    await provider.stop();
    await waitFor(async () => ((await toolNames()).includes("echo__shout") ? undefined : true), {
      what: "echo__shout to leave the list",
    });
    await waitFor(() => (listChanges.length > changesBefore ? true : undefined), { what: "tools/list_changed" });
    const call = await client.callTool({ name: "echo__shout", arguments: { text: "hello" } }).catch((error) => error);
    expect(call).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining("unknown tool: echo__shout"),
    });

    await provider.start();
    await waitFor(async () => ((await toolNames()).includes("echo__shout") ? true : undefined), {
      what: "echo__shout to come back",
    });
    const result = await client.callTool({ name: "echo__shout", arguments: { text: "again" } });
    expect(result.content).toEqual([{ type: "text", text: "AGAIN" }]);
  });
});
