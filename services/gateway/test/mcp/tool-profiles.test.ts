import { describe, expect, it } from "vitest";
import { parseToolProfiles } from "../../src/mcp/tool-profiles.ts";

describe("MCP_TOOL_PROFILES", () => {
  it("reads JSON allow-lists with * patterns", () => {
    const { profiles, problems } = parseToolProfiles('{"windsurf":["orchestrate","github__*"]}');
    expect(problems).toEqual([]);
    const windsurf = profiles.get("windsurf");
    expect(
      ["orchestrate", "github__create_issue", "get_task", "xgithub__a"].filter((name) => windsurf?.(name)),
    ).toEqual(["orchestrate", "github__create_issue"]);
  });

  it("reads the text format, profiles separated by semicolons", () => {
    const { profiles, problems } = parseToolProfiles("cursor=get_task, list_tasks; claude=*");
    expect(problems).toEqual([]);
    expect(profiles.get("cursor")?.("list_tasks")).toBe(true);
    expect(profiles.get("cursor")?.("orchestrate")).toBe(false);
    expect(profiles.get("claude")?.("anything")).toBe(true);
  });

  it("names what is wrong: not JSON of arrays, an empty list, a bad name", () => {
    expect(parseToolProfiles('{"a":"orchestrate"}').problems).toEqual([
      "a: must be an array of tool names or patterns",
    ]);
    expect(parseToolProfiles("a=").problems).toEqual(["a: lists no tools"]);
    expect(parseToolProfiles("a b=x").problems).toEqual([expect.stringContaining('"a b"')]);
    expect(parseToolProfiles("{nope").problems).toEqual(["is neither valid JSON nor the text format"]);
  });
});
