import type { ExecuteRequest, ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import type { Problem } from "@devtools/contracts/problem";
import { Pool } from "undici";
import type { UpstreamAnswer } from "./orchestrator-client.ts";

/**
 * `POST {agent}/execute` for the gateway's direct agent calls (the MCP agent tools), over one
 * keep-alive pool per agent. An execution can take minutes, so undici's own timers are off and the
 * caller's signal bounds it; aborting it drops the connection, which makes the agent abort its model
 * call. Errors come back as answers; only a broken connection throws.
 */
export class AgentClient {
  readonly #targets: Map<AgentType, { pool: Pool; path: string }>;
  readonly #headers: Record<string, string>;

  /** `internalToken` (INTERNAL_TOKEN) is sent as `authorization: Bearer …` to agents that require it. */
  constructor(urls: Record<AgentType, string>, options: { internalToken?: string | undefined } = {}) {
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json",
      ...(options.internalToken ? { authorization: `Bearer ${options.internalToken}` } : {}),
    };
    this.#targets = new Map(
      (Object.entries(urls) as [AgentType, string][]).map(([agentType, url]) => {
        const base = new URL(url);
        const pool = new Pool(base.origin, {
          connections: 8,
          keepAliveTimeout: 30_000,
          headersTimeout: 0,
          bodyTimeout: 0,
        });
        return [agentType, { pool, path: `${base.pathname.replace(/\/$/, "")}/execute` }];
      }),
    );
  }

  async execute(
    agentType: AgentType,
    request: ExecuteRequest,
    signal?: AbortSignal,
  ): Promise<UpstreamAnswer<ExecuteResult | Problem | null>> {
    const target = this.#targets.get(agentType);
    if (!target) throw new Error(`no URL for the ${agentType} agent`);
    const response = await target.pool.request({
      method: "POST",
      path: target.path,
      headers: this.#headers,
      body: JSON.stringify(request),
      ...(signal ? { signal } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text, body: text ? JSON.parse(text) : null };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#targets.values()].map(({ pool }) => pool.close()));
  }
}
