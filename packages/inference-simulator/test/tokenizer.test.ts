import { describe, expect, it } from "vitest";
import {
  countTokens,
  detokenize,
  isKnownTokenId,
  SPECIAL_TOKENS,
  tokenIds,
  tokenize,
  tokenText,
} from "../src/tokenizer.ts";
import { post, start } from "./support.ts";

const SAMPLE =
  "Deploy the new API endpoint with authentication.\n\n```ts\nconst port = 8080;\n```\nÜmlauts, 日本語 and emoji 🎉 too.";

describe("the approximate tokenizer", () => {
  it("round-trips any text through its token ids", () => {
    const tokens = tokenize(SAMPLE);

    expect(tokens.map((token) => token.text).join("")).toBe(SAMPLE);
    expect(detokenize(tokens.map((token) => token.id))).toBe(SAMPLE);
    expect(tokens.every((token) => isKnownTokenId(token.id))).toBe(true);
  });

  it("counts English prose at roughly four to five characters per token", () => {
    const prose =
      "The orchestrator decomposes a request into subtasks, builds a routing plan, and runs each subtask on a specialist agent backed by an inference server.";

    const ratio = prose.length / countTokens(prose);

    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(6);
  });

  it("reads ChatML markers as single special tokens only when asked to", () => {
    const text = "<|im_start|>user\nhi<|im_end|>\n";

    expect(tokenize(text, { allowSpecial: true }).map((token) => token.id)).toContain(
      SPECIAL_TOKENS.indexOf("<|im_start|>"),
    );
    expect(tokenize(text).some((token) => token.id < 16)).toBe(false);
  });
});

describe("/tokenize and /detokenize", () => {
  it("answers count, max_model_len and tokens like vLLM, and detokenizes them back", async () => {
    const simulator = await start({ maxModelLen: 2048 });

    const tokenized = await post(simulator, "/tokenize", { prompt: SAMPLE, return_token_strs: true });
    const body = tokenized.body as { count: number; max_model_len: number; tokens: number[]; token_strs: string[] };
    const detokenized = await post(simulator, "/detokenize", { tokens: body.tokens });

    expect(tokenized.status).toBe(200);
    expect(body.count).toBe(body.tokens.length);
    expect(body.max_model_len).toBe(2048);
    expect(body.token_strs.join("")).toBe(SAMPLE);
    expect(detokenized.body).toEqual({ prompt: SAMPLE });
  });

  it("tokenizes chat messages through the chat template, matching the prompt_tokens of a completion", async () => {
    const simulator = await start();
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "What is a prefix cache?" },
    ];

    const tokenized = (await post(simulator, "/tokenize", { messages })).body as { count: number };
    const completion = (await post(simulator, "/v1/chat/completions", { messages, max_tokens: 1 })).body as {
      usage: { prompt_tokens: number };
    };

    expect(tokenized.count).toBe(completion.usage.prompt_tokens);
  });

  it("rejects ids outside the vocabulary and unknown models", async () => {
    const simulator = await start();

    const outside = await post(simulator, "/detokenize", { tokens: [5] });
    const model = await post(simulator, "/tokenize", { model: "other", prompt: "x" });

    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ error: { type: "BadRequestError", code: 400 } });
    expect(model.status).toBe(404);
  });
});

describe("token ids", () => {
  it("are the chunks' UTF-8 bytes, so that tokenText gives each chunk back, whichever entry point counts them", () => {
    const text = `${SAMPLE} a lone surrogate \ud800 here, and the four-byte 𝄞𝄞 pair`;
    const tokens = tokenize(text);

    expect(tokenIds(text)).toEqual(tokens.map((token) => token.id));
    expect(countTokens(text)).toBe(tokens.length);
    for (const token of tokens) {
      // A lone surrogate is encoded as U+FFFD, as TextEncoder and real tokenizers do.
      expect(tokenText(token.id)).toBe(token.text.toWellFormed());
      expect(new TextEncoder().encode(tokenText(token.id)).length).toBeLessThanOrEqual(6);
    }
  });
});
