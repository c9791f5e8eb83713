import { describe, expect, it } from "vitest";
import { MAX_TOOL_NAME_LENGTH, namespacedToolName } from "../../src/mcp/tool-names.ts";

describe("namespaced tool names", () => {
  it("joins provider and tool with a double underscore when that fits", () => {
    expect(namespacedToolName("github", "create_issue")).toBe("github__create_issue");
  });

  it("shortens long names deterministically, under the limit, keeping different tools apart", () => {
    const long = "a_tool_with_a_really_quite_extraordinarily_long_name_that_goes_on";
    const first = namespacedToolName("provider", `${long}_one`);
    const second = namespacedToolName("provider", `${long}_two`);
    expect(first.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    expect(first).toMatch(/^provider__a_tool_with.*_[0-9a-f]{8}$/);
    expect(first).toBe(namespacedToolName("provider", `${long}_one`));
    expect(first).not.toBe(second);
  });

  it("replaces characters clients refuse and hashes, so dotted names stay distinct from underscored ones", () => {
    const dotted = namespacedToolName("fs", "read.file");
    expect(dotted).toMatch(/^fs__read_file_[0-9a-f]{8}$/);
    expect(dotted).not.toBe(namespacedToolName("fs", "read_file"));
  });
});
