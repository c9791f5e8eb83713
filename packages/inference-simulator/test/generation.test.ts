import { describe, expect, it } from "vitest";
import { clientFor, metric, post, scrape, start, userMessage } from "./support.ts";

type Chat = {
  choices: { message: { content: string }; finish_reason: string; stop_reason: string | null }[];
  usage: { completion_tokens: number; prompt_tokens: number };
};

describe("generation limits", () => {
  it("stops at max_tokens with finish_reason length and exactly that many completion tokens", async () => {
    const simulator = await start();

    for (const maxTokens of [1, 7, 33]) {
      const completion = await clientFor(simulator).chat.completions.create({
        model: "devtools-simulator",
        messages: userMessage("Describe the deployment pipeline in detail"),
        max_completion_tokens: maxTokens,
      });
      expect(completion.choices[0]?.finish_reason).toBe("length");
      expect(completion.usage?.completion_tokens).toBe(maxTokens);
    }
  });

  it("ends at the first stop string, hiding it unless include_stop_str_in_output, and reports it as stop_reason", async () => {
    const simulator = await start();
    const base = { messages: userMessage("Explain retries"), seed: 5 };
    const full = ((await post(simulator, "/v1/chat/completions", base)).body as Chat).choices[0]?.message.content ?? "";
    const stop = full.split(" ")[4] ?? "";

    const stopped = (await post(simulator, "/v1/chat/completions", { ...base, stop: [stop, "never-there"] }))
      .body as Chat;
    const shown = (await post(simulator, "/v1/chat/completions", { ...base, stop, include_stop_str_in_output: true }))
      .body as Chat;

    expect(stopped.choices[0]).toMatchObject({ finish_reason: "stop", stop_reason: stop });
    expect(stopped.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop)));
    expect(shown.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop) + stop.length));
  });

  it("keeps going until max_tokens with ignore_eos, as benchmarks ask", async () => {
    const simulator = await start({ tokensPerSecond: 100_000 });

    const answer = (
      await post(simulator, "/v1/chat/completions", {
        messages: userMessage("hi"),
        max_tokens: 1500,
        ignore_eos: true,
      })
    ).body as Chat;

    expect(answer.choices[0]?.finish_reason).toBe("length");
    expect(answer.usage.completion_tokens).toBe(1500);
  });

  it("counts prompt and generation tokens and latencies in vLLM's metrics", async () => {
    const simulator = await start();

    const answer = (
      await post(simulator, "/v1/chat/completions", { messages: userMessage("count me"), max_tokens: 12 })
    ).body as Chat;
    const text = await scrape(simulator);

    expect(metric(text, "vllm:prompt_tokens_total", { model_name: "devtools-simulator" })).toBe(
      answer.usage.prompt_tokens,
    );
    expect(metric(text, "vllm:generation_tokens_total")).toBe(12);
    expect(metric(text, "vllm:time_to_first_token_seconds_count")).toBe(1);
    expect(metric(text, "vllm:e2e_request_latency_seconds_count")).toBe(1);
    expect(metric(text, "vllm:kv_cache_usage_perc")).toBe(0);
    expect(text).toContain('engine="0"');
  });

  it("paces a stream at the configured speed", async () => {
    const simulator = await start({ tokensPerSecond: 200, ttftMs: 0 });
    const started = performance.now();

    const stream = await clientFor(simulator).chat.completions.create({
      model: "devtools-simulator",
      messages: userMessage("pace"),
      max_tokens: 41,
      stream: true,
    });
    let deltas = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) deltas++;

    // 41 tokens at 200/s: the last is due 200 ms after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(deltas).toBeGreaterThan(10);
  });
});
