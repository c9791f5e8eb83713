import type { AgentType } from "@devtools/contracts/agent-type";

/** Rough token costs per agent: its fixed prompt, and what it typically writes. */
const PROFILE: Record<AgentType, { systemPromptTokens: number; outputTokens: number }> = {
  "feature-dev": { systemPromptTokens: 700, outputTokens: 2_400 },
  "code-review": { systemPromptTokens: 600, outputTokens: 900 },
  infrastructure: { systemPromptTokens: 650, outputTokens: 1_500 },
  cicd: { systemPromptTokens: 600, outputTokens: 900 },
  documentation: { systemPromptTokens: 550, outputTokens: 1_200 },
};

/** Generation speed assumed for a single-GPU vLLM worker, tokens per second per request. */
const TOKENS_PER_SECOND = 40;
/** Per-call overhead: queueing, prefill, validation. */
const OVERHEAD_SECONDS = 5;
/** Share of an upstream subtask's output that is passed on as context. */
const UPSTREAM_CONTEXT_SHARE = 0.5;

/** Tokens are about four characters of English or code. */
export const tokensIn = (text: string) => Math.ceil(text.length / 4);

export function outputTokensOf(agent: AgentType): number {
  return PROFILE[agent].outputTokens;
}

/** Prompt + upstream context + output for one subtask. */
export function estimateTokens(agent: AgentType, description: string, upstream: readonly AgentType[]): number {
  const context = upstream.reduce((sum, dependency) => sum + PROFILE[dependency].outputTokens, 0);
  return (
    PROFILE[agent].systemPromptTokens +
    tokensIn(description) +
    Math.round(context * UPSTREAM_CONTEXT_SHARE) +
    PROFILE[agent].outputTokens
  );
}

export function estimateMinutes(agent: AgentType): number {
  return (PROFILE[agent].outputTokens / TOKENS_PER_SECOND + OVERHEAD_SECONDS) / 60;
}
