/** Which tools each client app sees (`?app=<name>`): its allow-list, as patterns where `*` matches anything. */
export type ToolProfiles = ReadonlyMap<string, ToolMatcher>;

export type ToolMatcher = (toolName: string) => boolean;

/** The profile applied when a request names no `app`, if one is configured under this name. */
export const DEFAULT_PROFILE = "default";

const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Parses `MCP_TOOL_PROFILES`: JSON (`{"windsurf":["orchestrate","github__*"]}`) or text
 * (`windsurf=orchestrate,get_task,github__*; cursor=*`, profiles separated by `;` or newlines).
 */
export function parseToolProfiles(text: string): { profiles: Map<string, ToolMatcher>; problems: string[] } {
  const problems: string[] = [];
  const lists = text.trim().startsWith("{") ? fromJson(text, problems) : fromText(text, problems);
  const profiles = new Map<string, ToolMatcher>();
  for (const [name, patterns] of lists) {
    if (!PROFILE_NAME.test(name)) problems.push(`"${name}": a profile name is 1-64 letters, digits, ".", "_" or "-"`);
    else if (patterns.length === 0) problems.push(`${name}: lists no tools`);
    else profiles.set(name, matcherOf(patterns));
  }
  return { profiles, problems };
}

function fromJson(text: string, problems: string[]): [string, string[]][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push("is neither valid JSON nor the text format");
    return [];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push('must be a JSON object of tool-name arrays, e.g. {"windsurf":["orchestrate"]}');
    return [];
  }
  return Object.entries(parsed).flatMap(([name, patterns]): [string, string[]][] => {
    if (Array.isArray(patterns) && patterns.every((pattern) => typeof pattern === "string")) {
      return [[name, patterns.map((pattern) => pattern.trim()).filter(Boolean)]];
    }
    problems.push(`${name}: must be an array of tool names or patterns`);
    return [];
  });
}

function fromText(text: string, problems: string[]): [string, string[]][] {
  return text
    .split(/[;\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry): [string, string[]][] => {
      const equals = entry.indexOf("=");
      if (equals === -1) {
        problems.push(`"${entry}": expected <app>=<tool>,<tool>,…`);
        return [];
      }
      const patterns = entry
        .slice(equals + 1)
        .split(",")
        .map((pattern) => pattern.trim())
        .filter(Boolean);
      return [[entry.slice(0, equals).trim(), patterns]];
    });
}

/** One test for a list of names and `*` patterns: exact names by set lookup, patterns by one regex. */
export function matcherOf(patterns: readonly string[]): ToolMatcher {
  const exact = new Set(patterns.filter((pattern) => !pattern.includes("*")));
  const globs = patterns.filter((pattern) => pattern.includes("*"));
  if (globs.length === 0) return (name) => exact.has(name);
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const regex = new RegExp(`^(?:${globs.map((glob) => glob.split("*").map(literal).join(".*")).join("|")})$`);
  return (name) => exact.has(name) || regex.test(name);
}
