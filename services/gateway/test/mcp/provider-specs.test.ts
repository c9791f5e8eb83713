import { describe, expect, it } from "vitest";
import { parseProviderSpecs } from "../../src/mcp/provider-specs.ts";

describe("MCP_PROVIDERS", () => {
  it("reads entries separated by semicolons or newlines, with defaults for the paths", () => {
    const { specs, problems } = parseProviderSpecs(
      "github:http://github-mcp:9000/|tools=create_issue,search\nplaywright:http://pw:8025|health=/healthz|capabilities=/card.json|tools=a+b;docs:https://docs.example.com/api|mcp=/rpc",
    );
    expect(problems).toEqual([]);
    expect(specs).toEqual([
      {
        name: "github",
        baseUrl: "http://github-mcp:9000",
        healthPath: "/health",
        capabilitiesPath: "/.well-known/mcp.json",
        mcpPath: undefined,
        tools: new Set(["create_issue", "search"]),
      },
      {
        name: "playwright",
        baseUrl: "http://pw:8025",
        healthPath: "/healthz",
        capabilitiesPath: "/card.json",
        mcpPath: undefined,
        tools: new Set(["a", "b"]),
      },
      {
        name: "docs",
        baseUrl: "https://docs.example.com/api",
        healthPath: "/health",
        capabilitiesPath: "/.well-known/mcp.json",
        mcpPath: "/rpc",
        tools: undefined,
      },
    ]);
  });

  it("names each bad entry: a missing URL, an unknown option, a relative path, a duplicate", () => {
    const { specs, problems } = parseProviderSpecs(
      "nourl; bad:ftp://x; a:http://a|colour=red; b:http://b|health=healthz; c:http://c; c:http://c2",
    );
    expect(specs.map((spec) => spec.name)).toEqual(["c"]);
    expect(problems).toEqual([
      expect.stringContaining('"nourl"'),
      expect.stringContaining('bad: "ftp://x" is not an http:// or https:// URL'),
      expect.stringContaining('a: "colour=red"'),
      expect.stringContaining('b: health= must be a path starting with "/"'),
      "c: listed twice",
    ]);
  });
});
