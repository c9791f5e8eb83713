import { z } from "zod";

const message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(z.unknown())]).nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
});

export const tokenizePromptRequest = z.looseObject({
  model: z.string().nullish(),
  prompt: z.string(),
  add_special_tokens: z.boolean().nullish(),
  return_token_strs: z.boolean().nullish(),
});

export const tokenizeChatRequest = z.looseObject({
  model: z.string().nullish(),
  messages: z.array(message),
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
  tools: z.array(z.unknown()).nullish(),
  return_token_strs: z.boolean().nullish(),
});

/** POST /tokenize takes a prompt or chat messages, as vLLM's TokenizeRequest union does. */
export const tokenizeRequest = z.union([tokenizePromptRequest, tokenizeChatRequest]);

/** POST /detokenize: token ids back to text. */
export const detokenizeRequest = z.looseObject({
  model: z.string().nullish(),
  tokens: z.array(z.int().min(0)),
});
