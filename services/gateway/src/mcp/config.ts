import { z } from "zod";
import { parseProviderSpecs } from "./provider-specs.ts";
import { parseToolProfiles } from "./tool-profiles.ts";

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The MCP endpoint's variables. */
export const mcpEnvironment = z.object({
  /**
   * External MCP servers whose tools `/mcp` also offers, as `name__tool`: entries separated by `;` or
   * newlines, each `name:base_url|health=/health|capabilities=/.well-known/mcp.json|tools=a,b|mcp=/mcp`.
   */
  MCP_PROVIDERS: z
    .string()
    .default("")
    .transform((text, context) => {
      const { specs, problems } = parseProviderSpecs(text);
      for (const problem of problems) context.addIssue({ code: "custom", message: problem });
      return specs;
    }),
  /** Tool allow-lists per client app (`/mcp?app=<name>`), as JSON or `app=tool,pattern*;…`; `default` applies without `app`. */
  MCP_TOOL_PROFILES: z
    .string()
    .default("")
    .transform((text, context) => {
      const { profiles, problems } = parseToolProfiles(text);
      for (const problem of problems) context.addIssue({ code: "custom", message: problem });
      return profiles;
    }),
  /** How often each provider's health path is polled; a provider that fails drops out of the tool list until it answers again. */
  MCP_PROVIDER_HEALTH_INTERVAL_MS: milliseconds(15_000),
  /** Longest a health check, server-card read, connect or tool listing of a provider may take. */
  MCP_PROVIDER_TIMEOUT_MS: milliseconds(5_000),
  /** Longest a tool call forwarded to a provider may take (progress does not extend it). */
  MCP_PROVIDER_CALL_TIMEOUT_MS: milliseconds(5 * 60_000),
  /** How long `orchestrate` follows its task with progress notifications before answering with the task as it stands. */
  MCP_ORCHESTRATE_WAIT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** Longest an agent tool's `POST /execute` may take. */
  MCP_AGENT_TIMEOUT_MS: milliseconds(10 * 60_000),
});

export type McpConfig = z.infer<typeof mcpEnvironment>;
