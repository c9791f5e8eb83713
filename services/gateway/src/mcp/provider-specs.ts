/** One external MCP server from `MCP_PROVIDERS`. */
export interface ProviderSpec {
  /** The namespace of its tools: `name__tool`. */
  name: string;
  /** Its base URL, without a trailing slash. */
  baseUrl: string;
  /** Polled for liveness; 2xx means healthy. */
  healthPath: string;
  /** Its server card (`remotes[].url` of type `streamable-http` names the MCP endpoint), when it has one. */
  capabilitiesPath: string;
  /** The MCP endpoint's path when set explicitly (`mcp=`); else the server card's, else `/mcp`. */
  mcpPath: string | undefined;
  /** Only these of its tools are exposed; undefined exposes all. */
  tools: ReadonlySet<string> | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const OPTIONS = new Set(["health", "capabilities", "tools", "mcp"]);

/**
 * Parses `MCP_PROVIDERS`: entries separated by `;` or newlines, each
 * `name:base_url|health=/health|capabilities=/.well-known/mcp.json|tools=a,b|mcp=/mcp`.
 * Returns the specs, or the problems found, each naming its entry.
 */
export function parseProviderSpecs(text: string): { specs: ProviderSpec[]; problems: string[] } {
  const specs: ProviderSpec[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(/[;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [head = "", ...options] = entry.split("|").map((part) => part.trim());
    const colon = head.indexOf(":");
    const name = colon === -1 ? head : head.slice(0, colon);
    const url = colon === -1 ? "" : head.slice(colon + 1);
    if (!NAME.test(name) || url === "") {
      problems.push(`"${entry}": expected <name>:<base_url>, the name 1-32 letters, digits, "_" or "-"`);
      continue;
    }
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      problems.push(`${name}: "${url}" is not an http:// or https:// URL`);
      continue;
    }
    if (specs.some((spec) => spec.name === name)) {
      problems.push(`${name}: listed twice`);
      continue;
    }
    const spec: ProviderSpec = {
      name,
      baseUrl: url.replace(/\/$/, ""),
      healthPath: "/health",
      capabilitiesPath: "/.well-known/mcp.json",
      mcpPath: undefined,
      tools: undefined,
    };
    let valid = true;
    for (const option of options.filter(Boolean)) {
      const equals = option.indexOf("=");
      const key = equals === -1 ? option : option.slice(0, equals).trim();
      const value = equals === -1 ? "" : option.slice(equals + 1).trim();
      if (!OPTIONS.has(key) || value === "") {
        problems.push(`${name}: "${option}" is not one of health=, capabilities=, tools=, mcp= with a value`);
        valid = false;
      } else if (key === "tools") {
        spec.tools = new Set(
          value
            .split(/[,+]/)
            .map((tool) => tool.trim())
            .filter(Boolean),
        );
      } else if (!value.startsWith("/")) {
        problems.push(`${name}: ${key}= must be a path starting with "/"`);
        valid = false;
      } else if (key === "health") spec.healthPath = value;
      else if (key === "capabilities") spec.capabilitiesPath = value;
      else spec.mcpPath = value;
    }
    if (valid) specs.push(spec);
  }
  return { specs, problems };
}
