import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { lastUserText, renderChat } from "../../chat-template.ts";
import { checkModel, type SimulatorContext, SYSTEM_FINGERPRINT, servedModelName } from "../../context.ts";
import { checkGenerationFields, outputConstraintOf } from "../../request-fields.ts";
import { type AnswerShape, type SimulatorEnv, serveGeneration } from "../../serve-generation.ts";
import { SPECIAL_TOKENS, tokenIds } from "../../tokenizer.ts";
import { parseRequestBody, requestRuleError } from "../../validation.ts";
import { chatCompletionRequest } from "./schema.ts";

const IM_END = SPECIAL_TOKENS.indexOf("<|im_end|>");

/** POST /v1/chat/completions: vLLM's OpenAIServingChat, answered by the simulated engine. */
export function chatCompletionsRoute(simulator: SimulatorContext) {
  return new Hono<SimulatorEnv>().post("/", async (c) => {
    const body = parseRequestBody(await c.req.text(), chatCompletionRequest);
    checkModel(simulator.options, body.model);
    const invalid = checkGenerationFields(body);
    if (invalid) throw invalid;
    if (body.continue_final_message && body.add_generation_prompt) {
      throw requestRuleError("Cannot set both `continue_final_message` and `add_generation_prompt` to True.");
    }
    const { messages } = body;
    const promptText = renderChat(messages, {
      tools: body.tools,
      addGenerationPrompt: body.add_generation_prompt ?? true,
      continueFinalMessage: body.continue_final_message ?? false,
    });
    const id = `chatcmpl-${randomUUID().replaceAll("-", "")}`;
    // Field order as vLLM serialises them: id, object, created, model.
    const head = (object: string) => ({
      id,
      object,
      created: Math.floor(Date.now() / 1000),
      model: servedModelName(simulator.options),
    });
    const chunk = { ...head("chat.completion.chunk"), system_fingerprint: SYSTEM_FINGERPRINT };
    const shape: AnswerShape = {
      complete: (text, finish, usage) => ({
        ...head("chat.completion"),
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: text,
              refusal: null,
              annotations: null,
              audio: null,
              function_call: null,
              reasoning: null,
            },
            logprobs: null,
            finish_reason: finish.reason,
            stop_reason: finish.stopReason,
            token_ids: null,
          },
        ],
        service_tier: null,
        system_fingerprint: SYSTEM_FINGERPRINT,
        usage,
        prompt_logprobs: null,
        prompt_token_ids: null,
        kv_transfer_params: null,
      }),
      opening: () => [
        {
          ...chunk,
          choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
        },
      ],
      delta: (text, finish, usage) => ({
        ...chunk,
        choices: [
          {
            index: 0,
            delta: { content: text },
            logprobs: null,
            finish_reason: finish?.reason ?? null,
            ...(finish ? { stop_reason: finish.stopReason } : {}),
          },
        ],
        ...(usage ? { usage } : {}),
      }),
      usageChunk: (usage) => ({ ...chunk, choices: [], usage }),
    };
    return serveGeneration(
      c,
      simulator,
      {
        body,
        constraint: outputConstraintOf(body),
        promptText,
        promptTokenIds: tokenIds(promptText, { allowSpecial: true }),
        topicText: lastUserText(messages) || promptText,
        maxTokens: body.max_completion_tokens ?? body.max_tokens,
        eosTokenId: IM_END,
      },
      shape,
    );
  });
}
