import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayTool } from "./gateway-tool.ts";
import type { ToolMatcher } from "./tool-profiles.ts";

/** What one profile sees: the tool definitions as `tools/list` answers them, and the tools by name for calls. */
export interface ToolView {
  definitions: Tool[];
  byName: ReadonlyMap<string, GatewayTool>;
}

/**
 * The gateway's own tools and the healthy providers' tools, filtered per profile. Each profile's
 * view is built once and kept until the providers' tools change, so `tools/list` and `tools/call`
 * do no schema work per request.
 */
export class ToolCatalog {
  readonly #native: readonly GatewayTool[];
  readonly #provided: () => readonly GatewayTool[];
  readonly #views = new Map<ToolMatcher | undefined, ToolView>();

  constructor(native: readonly GatewayTool[], provided: () => readonly GatewayTool[]) {
    this.#native = native;
    this.#provided = provided;
  }

  /** Forget the views: the providers' tools changed. */
  invalidate(): void {
    this.#views.clear();
  }

  view(profile: ToolMatcher | undefined): ToolView {
    let view = this.#views.get(profile);
    if (!view) {
      const tools = [...this.#native, ...this.#provided()].filter((tool) => !profile || profile(tool.definition.name));
      view = {
        definitions: tools.map((tool) => tool.definition),
        byName: new Map(tools.map((tool) => [tool.definition.name, tool])),
      };
      this.#views.set(profile, view);
    }
    return view;
  }
}
