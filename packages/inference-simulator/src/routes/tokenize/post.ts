import { Hono } from "hono";
import { renderChat } from "../../chat-template.ts";
import { checkModel, type SimulatorContext } from "../../context.ts";
import { badRequest } from "../../errors.ts";
import { detokenize, isKnownTokenId, tokenize } from "../../tokenizer.ts";
import { parseRequestBody } from "../../validation.ts";
import { detokenizeRequest, tokenizeChatRequest, tokenizePromptRequest, tokenizeRequest } from "./schema.ts";

/**
 * POST /tokenize and POST /detokenize, as vLLM serves them (outside /v1, so not behind the API
 * key). Token ids come from the simulator's approximate tokenizer.
 */
export function tokenizationRoutes(simulator: SimulatorContext) {
  return new Hono()
    .post("/tokenize", async (c) => {
      const body = parseRequestBody(await c.req.text(), tokenizeRequest);
      checkModel(simulator.options, body.model);
      const chat = tokenizeChatRequest.safeParse(body);
      const text = chat.success
        ? renderChat(chat.data.messages, {
            tools: chat.data.tools,
            addGenerationPrompt: chat.data.add_generation_prompt ?? true,
            continueFinalMessage: chat.data.continue_final_message ?? false,
          })
        : tokenizePromptRequest.parse(body).prompt;
      // Chat templates always produce special tokens; a raw prompt only with add_special_tokens.
      const allowSpecial = chat.success || body.add_special_tokens !== false;
      const tokens = tokenize(text, { allowSpecial });
      return c.json({
        count: tokens.length,
        max_model_len: simulator.options.maxModelLen,
        tokens: tokens.map((token) => token.id),
        token_strs: body.return_token_strs ? tokens.map((token) => token.text) : null,
      });
    })
    .post("/detokenize", async (c) => {
      const body = parseRequestBody(await c.req.text(), detokenizeRequest);
      checkModel(simulator.options, body.model);
      const unknown = body.tokens.find((id) => !isKnownTokenId(id));
      if (unknown !== undefined) throw badRequest(`Token id ${unknown} is out of vocabulary`, "tokens");
      return c.json({ prompt: detokenize(body.tokens) });
    });
}
