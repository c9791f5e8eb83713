import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { checkModel, type SimulatorContext, SYSTEM_FINGERPRINT, servedModelName } from "../../context.ts";
import { badRequest } from "../../errors.ts";
import { checkGenerationFields, outputConstraintOf } from "../../request-fields.ts";
import { type AnswerShape, type SimulatorEnv, serveGeneration } from "../../serve-generation.ts";
import { detokenize, isKnownTokenId, SPECIAL_TOKENS, tokenIds } from "../../tokenizer.ts";
import { parseRequestBody } from "../../validation.ts";
import { type CompletionRequest, completionRequest } from "./schema.ts";

const END_OF_TEXT = SPECIAL_TOKENS.indexOf("<|endoftext|>");
const DEFAULT_COMPLETION_MAX_TOKENS = 16;

/** The one prompt of a request, as text and token ids (vLLM accepts either). */
function singlePrompt(prompt: CompletionRequest["prompt"]): { text: string; ids: number[] } {
  const prompts = typeof prompt === "string" || typeof prompt[0] === "number" ? [prompt] : prompt;
  if (prompts.length !== 1) {
    throw badRequest("The inference simulator accepts one prompt per request; send the prompts separately.", "prompt");
  }
  const only = prompts[0] as string | number[];
  if (typeof only === "string") return { text: only, ids: tokenIds(only, { allowSpecial: true }) };
  const unknown = only.find((id) => !isKnownTokenId(id));
  if (unknown !== undefined) throw badRequest(`Token id ${unknown} is out of vocabulary`, "prompt");
  return { text: detokenize(only), ids: only };
}

/** POST /v1/completions: vLLM's OpenAIServingCompletion for one prompt. */
export function completionsRoute(simulator: SimulatorContext) {
  return new Hono<SimulatorEnv>().post("/", async (c) => {
    const body = parseRequestBody(await c.req.text(), completionRequest);
    checkModel(simulator.options, body.model);
    const invalid = checkGenerationFields(body);
    if (invalid) throw invalid;
    if (body.suffix != null) throw badRequest("suffix is not currently supported", "suffix");
    const prompt = singlePrompt(body.prompt);
    const echoed = body.echo ? prompt.text : "";
    const head = {
      id: `cmpl-${randomUUID().replaceAll("-", "")}`,
      object: "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: servedModelName(simulator.options),
    };
    const chunk = { ...head, system_fingerprint: SYSTEM_FINGERPRINT };
    const choice = (text: string, finishReason: string | null, stopReason: string | null) => ({
      index: 0,
      text,
      logprobs: null,
      finish_reason: finishReason,
      stop_reason: stopReason,
    });
    const shape: AnswerShape = {
      complete: (text, finish, usage) => ({
        ...head,
        choices: [
          { ...choice(echoed + text, finish.reason, finish.stopReason), prompt_logprobs: null, token_ids: null },
        ],
        service_tier: null,
        system_fingerprint: SYSTEM_FINGERPRINT,
        usage,
        kv_transfer_params: null,
      }),
      opening: () => (echoed ? [{ ...chunk, choices: [choice(echoed, null, null)] }] : []),
      delta: (text, finish, usage) => ({
        ...chunk,
        choices: [choice(text, finish?.reason ?? null, finish?.stopReason ?? null)],
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
        promptText: prompt.text,
        promptTokenIds: prompt.ids,
        topicText: prompt.text,
        // vLLM's CompletionRequest defaults max_tokens to 16 (OpenAI's legacy default); null means "up to the context".
        maxTokens: "max_tokens" in body ? body.max_tokens : DEFAULT_COMPLETION_MAX_TOKENS,
        eosTokenId: END_OF_TEXT,
      },
      shape,
    );
  });
}
