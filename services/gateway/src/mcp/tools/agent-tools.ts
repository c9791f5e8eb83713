import { createHash, randomUUID } from "node:crypto";
import { EXECUTE_RESULTS, ExecuteRequest } from "@devtools/contracts/agent";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import type { AgentClient } from "../../upstream/agent-client.ts";
import { contractTool, type GatewayTool } from "../gateway-tool.ts";
import { upstreamResult } from "./upstream-problem.ts";

/** What an agent tool takes: the subtask's description and context; the ids are the gateway's business. */
export const AgentToolInput = ExecuteRequest.pick({ description: true, upstream: true }).extend({
  idempotency_key: ExecuteRequest.shape.idempotency_key.optional().meta({
    description:
      "Send the same key to retry a call safely: the agent answers its stored result instead of running the model again. A fresh key is made when it is absent.",
  }),
});

const WHAT_IT_DOES: Record<AgentType, string> = {
  "feature-dev": "Writes application code for a task: whole files.",
  "code-review": "Reviews code: findings with severity, location and a suggested fix, and a verdict.",
  infrastructure: "Writes infrastructure as code: Dockerfiles, Compose files, Kubernetes manifests, Terraform.",
  cicd: "Writes GitHub Actions workflows.",
  documentation: "Writes documentation as Markdown documents.",
};

/** A UUID derived from `text` (name-based, as UUIDv5 is): the same key always names the same subtask. */
function uuidFrom(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One tool per specialist agent, calling its `POST /execute` directly, outside any orchestrated task. */
export function agentTools(agents: AgentClient, options: { timeoutMs: number }): GatewayTool[] {
  return AGENT_TYPES.map((agentType) =>
    contractTool({
      name: agentType,
      title: `Run the ${agentType} agent`,
      description: `${WHAT_IT_DOES[agentType]} Runs one subtask on the ${agentType} agent and answers with its structured output, its files as artifacts and the tokens used. For a request that needs several agents, use orchestrate.`,
      input: AgentToolInput,
      output: EXECUTE_RESULTS[agentType],
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
      run: async (input, context) => {
        const key = input.idempotency_key ?? randomUUID();
        // A retried key must send the same body, or the agent refuses it as a different request.
        const request = {
          task_id: uuidFrom(`mcp:${agentType}:${key}:task`),
          subtask_id: uuidFrom(`mcp:${agentType}:${key}:subtask`),
          description: input.description,
          upstream: input.upstream,
          idempotency_key: `mcp:${key}`,
        };
        const signal = AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutMs)]);
        const answer = await agents.execute(agentType, request, signal);
        return upstreamResult(`the ${agentType} agent`, answer);
      },
    }),
  );
}
