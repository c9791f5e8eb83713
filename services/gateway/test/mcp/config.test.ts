import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

describe("the MCP endpoint's configuration", () => {
  it("starts with no providers and no profiles", () => {
    const config = loadConfig({});
    expect(config.MCP_PROVIDERS).toEqual([]);
    expect(config.MCP_TOOL_PROFILES.size).toBe(0);
    expect(config.MCP_ORCHESTRATE_WAIT_SECONDS).toBe(300);
  });

  it("refuses bad MCP_PROVIDERS and MCP_TOOL_PROFILES, naming the variable and the entry", () => {
    expect(() => loadConfig({ MCP_PROVIDERS: "github:not-a-url" })).toThrow(
      /MCP_PROVIDERS=.*github: "not-a-url" is not an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig({ MCP_TOOL_PROFILES: '{"cursor":"get_task"}' })).toThrow(
      /MCP_TOOL_PROFILES=.*cursor: must be an array of tool names or patterns/,
    );
  });
});
