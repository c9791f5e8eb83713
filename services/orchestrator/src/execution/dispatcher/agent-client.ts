import type { ExecuteRequest } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import { Pool } from "undici";

/** What came back from one `POST /execute`, before any judgement on it. */
export type DispatchAnswer =
  | {
      kind: "answered";
      status: number;
      /** `retry-after` as the agent sent it. */
      retryAfter: string | undefined;
      /** The body parsed as JSON, or its text when it is not JSON. */
      body: unknown;
    }
  /** No HTTP answer: the agent could not be reached, or the connection broke. */
  | { kind: "no_answer"; error: Error; connectFailed: boolean }
  /** Our own signal ended the request. */
  | { kind: "aborted" };

/** Sends subtasks to the agents; the engine's only view of the network, and what tests replace. */
export interface AgentDispatcher {
  execute(agentType: AgentType, request: ExecuteRequest, signal: AbortSignal): Promise<DispatchAnswer>;
  /** Where the agent of `agentType` is, for messages. */
  describe(agentType: AgentType): string;
  close(): Promise<void>;
}

// Errors of the connect step: nothing reached the agent, so nothing can have started there.
const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function isConnectError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECT_ERRORS.has(code)) return true;
  return error.cause !== undefined && isConnectError(error.cause);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `POST {agentUrl}/execute` over one keep-alive undici Pool per agent. Timeouts are the caller's
 * signal (a subtask may take minutes): undici's own header and body timers are off. Aborting the
 * signal destroys the socket, which is how the agent learns to abort its model call.
 */
export class HttpAgentDispatcher implements AgentDispatcher {
  readonly #pools = new Map<AgentType, { pool: Pool; path: string; url: string }>();
  readonly #headers: Record<string, string>;

  /** `internalToken` (INTERNAL_TOKEN) is sent as `authorization: Bearer …` to agents that require it. */
  constructor(
    urls: Record<AgentType, string>,
    { connectionsPerAgent, internalToken }: { connectionsPerAgent: number; internalToken?: string | undefined },
  ) {
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json",
      ...(internalToken ? { authorization: `Bearer ${internalToken}` } : {}),
    };
    for (const [agentType, url] of Object.entries(urls) as [AgentType, string][]) {
      const base = new URL(url);
      const pool = new Pool(base.origin, {
        connections: connectionsPerAgent,
        keepAliveTimeout: 30_000,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.#pools.set(agentType, { pool, path: `${base.pathname.replace(/\/$/, "")}/execute`, url });
    }
  }

  describe(agentType: AgentType): string {
    return this.#pools.get(agentType)?.url ?? "(no URL)";
  }

  async execute(agentType: AgentType, request: ExecuteRequest, signal: AbortSignal): Promise<DispatchAnswer> {
    const target = this.#pools.get(agentType);
    if (!target) return { kind: "no_answer", error: new Error(`no URL for ${agentType}`), connectFailed: true };
    try {
      const response = await target.pool.request({
        path: target.path,
        method: "POST",
        headers: this.#headers,
        body: JSON.stringify(request),
        signal,
      });
      const text = await response.body.text();
      const retryAfter = response.headers["retry-after"];
      return {
        kind: "answered",
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body: parse(text),
      };
    } catch (error) {
      if (signal.aborted) return { kind: "aborted" };
      const cause = error instanceof Error ? error : new Error(String(error));
      return { kind: "no_answer", error: cause, connectFailed: isConnectError(error) };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map(({ pool }) => pool.destroy()));
  }
}
