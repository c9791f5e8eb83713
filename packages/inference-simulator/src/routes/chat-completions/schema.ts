import { z } from "zod";
import { generationFields } from "../../request-fields.ts";

const message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(z.unknown())]).nullish(),
  name: z.string().nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
  tool_call_id: z.string().nullish(),
});

/** The body of POST /v1/chat/completions, as vLLM's ChatCompletionRequest types it. */
export const chatCompletionRequest = z.looseObject({
  ...generationFields,
  messages: z.array(message),
  max_completion_tokens: z.int().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().nullish(),
  // Left unset when absent: vLLM checks the two against each other as sent.
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;
