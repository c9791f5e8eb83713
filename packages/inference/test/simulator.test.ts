import { type RunningSimulator, type SimulatorInput, startSimulator } from "@devtools/inference-simulator/server";
import { waitFor } from "@devtools/testkit/poll";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { InferenceAbortedError, InferenceHttpError } from "../src/errors.ts";
import { metricValue, testClient, testConfig } from "./support.ts";

// End to end against the project's vLLM-faithful simulator: real HTTP, real scheduling, real
// prefix cache and real /metrics.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: SimulatorInput = {}): Promise<RunningSimulator> {
  const running = await startSimulator(options);
  cleanups.push(() => running.close());
  return running;
}

function client(...args: Parameters<typeof testClient>) {
  const made = testClient(...args);
  cleanups.push(() => made.client.close());
  return made;
}

/** A gauge or counter of the simulator's Prometheus text. */
async function scrape(running: RunningSimulator, name: string): Promise<number> {
  const text = await (await fetch(running.url.replace(/\/v1$/, "/metrics"))).text();
  const line = text
    .split("\n")
    .find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  return Number(line?.split(" ").at(-1) ?? Number.NaN);
}

const Dockerfile = z.object({
  summary: z.string().describe("one sentence"),
  baseImage: z.string(),
  stages: z
    .array(z.object({ name: z.string(), commands: z.array(z.string()).max(4) }))
    .min(1)
    .max(3),
  exposedPort: z.number().int().min(1).max(65_535).optional(),
});

const dockerfileCall = (subtask: string) => ({
  schema: Dockerfile,
  name: "dockerfile",
  system: "You are the infrastructure agent of a developer-tools platform. You write production Dockerfiles.",
  instructions: "Use a multi-stage build, a pinned base image and a non-root user.",
  input: [{ title: "Subtask", content: subtask }],
});

describe("against the inference simulator", () => {
  it("gets a structured answer end to end, validated, with its token usage", async () => {
    const running = await simulator();
    const { client: inference, registry } = client(testConfig([running.url], { model: undefined }));

    const result = await inference.generateObject(dockerfileCall("Containerise the billing worker"));

    expect(Dockerfile.parse(result.value)).toEqual(result.value);
    expect(result).toMatchObject({ repaired: false, model: "devtools-simulator", backend: running.url });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    const labels = { backend: running.url, model: "devtools-simulator" };
    expect(await metricValue(registry, "inference_tokens_total", { ...labels, kind: "completion" })).toBe(
      result.usage.completionTokens,
    );
  });

  it("streams from the simulator with usage at the end", async () => {
    const running = await simulator();
    const { client: inference } = client(testConfig([running.url], { model: undefined }));
    let text = "";

    for await (const event of inference.stream({
      messages: [{ role: "user", content: "Explain blue-green deploys" }],
    })) {
      if (event.type === "delta") text += event.text;
      else
        expect(event.result).toMatchObject({
          text,
          finishReason: "stop",
          usage: { completionTokens: expect.any(Number) },
        });
    }

    expect(text.length).toBeGreaterThan(20);
  });

  it("hits the prefix cache for two structured calls with different inputs", async () => {
    const running = await simulator();
    const { client: inference } = client(testConfig([running.url], { model: undefined }));

    const first = await inference.generateObject(dockerfileCall("Containerise the billing worker"));
    const hitsBefore = await scrape(running, "vllm:prefix_cache_hits_total");
    const second = await inference.generateObject(dockerfileCall("Package the docs site behind nginx on port 8080"));

    expect(first.usage.cachedPromptTokens).toBe(0);
    // Everything up to the subtask (system, schema, instructions) came from the cache.
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(0.8 * first.usage.promptTokens);
    expect((await scrape(running, "vllm:prefix_cache_hits_total")) - hitsBefore).toBe(second.usage.cachedPromptTokens);
  });

  it("never runs more requests at once than its limit, though the server could run more", async () => {
    const running = await simulator({ maxNumSeqs: 16, ttftMs: 20, tokensPerSecond: 400 });
    const config = testConfig([running.url], { model: undefined });
    config.backends[0] = { url: running.url, maxConcurrency: 4 };
    const { client: inference } = client(config);
    const seen: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) seen.push(await scrape(running, "vllm:num_requests_running"));
    })();

    await Promise.all(
      Array.from({ length: 24 }, (_, index) => inference.generateObject(dockerfileCall(`service ${index}`))),
    );
    sampling = false;
    await sampler;

    expect(Math.max(...seen)).toBe(4);
    expect(running.stats().maxRunningObserved).toBe(4);
    expect(inference.backends()[0]).toMatchObject({ maxInFlight: 4, inFlight: 0, queued: 0 });
  });

  it("fails over to the second backend when the first is closed", async () => {
    const first = await simulator();
    const second = await simulator();
    const { client: inference } = client(testConfig([first.url, second.url], { model: undefined }), {
      cooldownMs: 60_000,
    });

    expect((await inference.generateObject(dockerfileCall("one"))).backend).toBe(first.url);
    await first.close();
    const after = await Promise.all(
      [1, 2, 3].map((index) => inference.generateObject(dockerfileCall(`after ${index}`))),
    );

    expect(after.map((result) => result.backend)).toEqual([second.url, second.url, second.url]);
    expect(inference.backends().map((backend) => backend.state)).toEqual(["open", "closed"]);
  });

  it("aborts the model call when its caller aborts: the simulator stops running it", async () => {
    const running = await simulator({ tokensPerSecond: 20 });
    const { client: inference } = client(testConfig([running.url], { model: undefined }));
    const controller = new AbortController();

    const pending = inference
      .chat(
        { messages: [{ role: "user", content: "Write a long design document" }], maxTokens: 2_000 },
        { signal: controller.signal },
      )
      .catch((thrown: unknown) => thrown);
    await waitFor(async () => ((await scrape(running, "vllm:num_requests_running")) === 1 ? true : undefined));
    controller.abort();

    expect(await pending).toBeInstanceOf(InferenceAbortedError);
    await waitFor(async () => ((await scrape(running, "vllm:num_requests_running")) === 0 ? true : undefined));
    expect(running.stats()).toMatchObject({ aborted: 1, finished: 0 });
  });

  it("gets every answer through injected errors and dropped connections by retrying", async () => {
    const running = await simulator({ errorRate: 0.2, errorStatusCodes: [429, 500, 503], dropRate: 0.1, faultSeed: 7 });
    const { client: inference, registry } = client(
      testConfig([running.url], { model: "devtools-simulator", maxRetries: 6 }),
    );

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => inference.generateObject(dockerfileCall(`flaky ${index}`))),
    );

    expect(results).toHaveLength(20);
    const failures = await Promise.all(
      ["rate_limited", "server_error", "connection_error"].map((outcome) =>
        metricValue(registry, "inference_requests_total", {
          backend: running.url,
          model: "devtools-simulator",
          outcome,
        }),
      ),
    );
    expect(failures.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
  });

  it("authenticates with the API key, and a wrong key is a permanent failure", async () => {
    const running = await simulator({ apiKey: "sim-key" });
    const { client: good } = client(testConfig([running.url], { model: undefined, apiKey: "sim-key" }));
    const { client: bad } = client(testConfig([running.url], { model: "devtools-simulator", apiKey: "wrong" }));

    expect(await good.ready()).toBe(true);
    expect(await bad.ready()).toBe(false);
    const error = await bad.chat({ messages: [{ role: "user", content: "hi" }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InferenceHttpError);
    expect(error).toMatchObject({ status: 401, attempts: 1 });
  });
});
