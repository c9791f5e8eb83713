import type { TokenUsage } from "@devtools/inference/client";

/** The model rounds of one structured call: how many ran and the tokens the answered ones took. */
export interface RoundTally {
  rounds: number;
  usage: TokenUsage;
}

export const newTally = (): RoundTally => ({
  rounds: 0,
  usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedPromptTokens: 0 },
});

/** Adds one answered round's usage; counted as rounds end, so a failed call's tokens are not lost. */
export function addRound(tally: RoundTally, usage: TokenUsage): void {
  tally.usage = {
    promptTokens: tally.usage.promptTokens + usage.promptTokens,
    completionTokens: tally.usage.completionTokens + usage.completionTokens,
    totalTokens: tally.usage.totalTokens + usage.totalTokens,
    cachedPromptTokens: (tally.usage.cachedPromptTokens ?? 0) + (usage.cachedPromptTokens ?? 0),
  };
}
