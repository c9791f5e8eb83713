import { z } from "zod";
import { generationFields } from "../../request-fields.ts";

const tokenIds = z.array(z.int().min(0));

/** The body of POST /v1/completions, as vLLM's CompletionRequest types it. */
export const completionRequest = z.looseObject({
  ...generationFields,
  prompt: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  logprobs: z.int().nullish(),
  best_of: z.int().nullish(),
});

export type CompletionRequest = z.infer<typeof completionRequest>;
