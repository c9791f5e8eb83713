// Inference client benchmark, against the project's inference simulator (a vLLM-like server) run as
// its own process. Method and results: BENCHMARKS.md, "Inference client".
//
//   node bench/inference.mjs
//
// (1) Overhead: the client's chat() against a raw HTTP POST of the same body (undici.request and
//     undici's fetch over a keep-alive pool), one call at a time, against a simulator with zero
//     latency. p50/p99 of each and the differences (goal: p50 overhead < 0.5 ms).
// (2) Throughput: 100 concurrent structured subtasks (generateObject) through the client, limit 8,
//     against a simulator with max_num_seqs 8 and a realistic latency, compared with the simulator's
//     capacity measured by driving it directly with exactly 8 concurrent raw requests (goal >= 95%).
//     The simulator's vllm:num_requests_running gauge is sampled throughout (must never exceed 8).
//
// Environment: BENCH_OVERHEAD_CALLS (3000 per variant), BENCH_WARMUP_CALLS (500 per variant),
// BENCH_SUBTASKS (100), BENCH_TTFT_MS (100), BENCH_TOKENS_PER_SECOND (80, per sequence).
// `--json <file>` also writes the figures as JSON.

import { createRequire } from "node:module";
import { inferenceGoals, printGoals } from "./support/goals.mjs";
import { freePort, ROOT, runGuarded, startProcess } from "./support/processes.mjs";
import { writeResult } from "./support/result.mjs";
import { summary } from "./support/stats.mjs";

// undici and zod are taken from the inference package's dependencies (the same module instances the
// client uses), so the bench adds nothing to the lockfile.
const { Agent, fetch: undiciFetch, request } = createRequire(`${ROOT}packages/inference/package.json`)("undici");
const { z } = await import(new URL("../packages/inference/node_modules/zod/index.js", import.meta.url).href);
const { InferenceClient } = await import("../packages/inference/src/client.ts");
const { buildPrompt } = await import("../packages/inference/src/prompt.ts");
const { parseAnswer, structuredFormat } = await import("../packages/inference/src/structured-output.ts");
const { createConnectionPool, sdkClient } = await import("../packages/inference/src/transport.ts");

const OVERHEAD_CALLS = Number(process.env.BENCH_OVERHEAD_CALLS ?? 3000);
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP_CALLS ?? 500);
const SUBTASKS = Number(process.env.BENCH_SUBTASKS ?? 100);
const TTFT_MS = Number(process.env.BENCH_TTFT_MS ?? 100);
const TOKENS_PER_SECOND = Number(process.env.BENCH_TOKENS_PER_SECOND ?? 80);
const MAX_NUM_SEQS = 8;
const MODEL = "devtools-simulator";
const WATCHDOG_MS = 10 * 60 * 1000;

/** Starts the simulator's bin with `flags` on a free port; resolves with its base URL once /health answers. */
async function startSimulator(flags) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = ["packages/inference-simulator/src/main.ts", "--host", "127.0.0.1", "--port", String(port), ...flags];
  const { stop } = await startProcess("simulator", { args, healthUrl: `${origin}/health` });
  return { url: `${origin}/v1`, metrics: `${origin}/metrics`, stop };
}

const ms = (value) => `${value.toFixed(3)} ms`;

/** Samples vllm:num_requests_running every few ms until `stop()`; resolves with the highest value seen. */
function sampleRunning(metricsUrl, dispatcher) {
  let sampling = true;
  let max = 0;
  let samples = 0;
  const done = (async () => {
    while (sampling) {
      const response = await request(metricsUrl, { dispatcher });
      const text = await response.body.text();
      const line = text.split("\n").find((candidate) => candidate.startsWith("vllm:num_requests_running"));
      max = Math.max(max, Number(line?.split(" ").at(-1) ?? 0));
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    sampling = false;
    await done;
    return { max, samples };
  };
}

// ---------------------------------------------------------------------------------------------
// (1) Overhead

async function overhead() {
  const simulator = await startSimulator([
    ...["--ttft-ms", "0", "--tokens-per-second", "1000000000", "--prefill-tokens-per-second", "1000000000"],
  ]);
  const messages = [{ role: "user", content: "Say hello to the platform team" }];
  const body = JSON.stringify({ model: MODEL, messages, max_tokens: 16 });
  const headers = { "content-type": "application/json", authorization: "Bearer EMPTY" };
  const pool = new Agent({ keepAliveTimeout: 30_000 });
  const client = new InferenceClient({
    config: {
      backends: [{ url: simulator.url, maxConcurrency: 8 }],
      model: MODEL,
      apiKey: undefined,
      timeoutMs: 10_000,
      maxRetries: 0,
    },
  });
  // The SDK as the client configures it, called directly: separates the SDK's cost from the client's own.
  const sdkPool = createConnectionPool(8);
  const sdk = sdkClient(simulator.url, undefined, sdkPool);
  const variants = {
    "raw undici.request": async () => {
      const response = await request(`${simulator.url}/chat/completions`, {
        method: "POST",
        body,
        headers,
        dispatcher: pool,
      });
      await response.body.json();
    },
    "raw undici fetch": async () => {
      const response = await undiciFetch(`${simulator.url}/chat/completions`, {
        method: "POST",
        body,
        headers,
        dispatcher: pool,
      });
      await response.json();
    },
    "openai SDK alone": () => sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 16 }),
    "client.chat": () => client.chat({ messages, maxTokens: 16 }),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const run of Object.values(variants)) for (let i = 0; i < WARMUP_CALLS; i++) await run();
  // Interleaved blocks, so that drift (other processes, GC, JIT) spreads over every variant alike.
  const BLOCK = 100;
  for (let done = 0; done < OVERHEAD_CALLS; done += BLOCK) {
    for (const [name, run] of Object.entries(variants)) {
      for (let i = 0; i < Math.min(BLOCK, OVERHEAD_CALLS - done); i++) {
        const started = performance.now();
        await run();
        samples[name].push(performance.now() - started);
      }
    }
  }
  await client.close();
  await pool.close();
  await sdkPool.close();
  await simulator.stop();

  console.log(
    `\n(1) overhead: ${OVERHEAD_CALLS} sequential calls per variant after ${WARMUP_CALLS} of warm-up, zero-latency simulator`,
  );
  const stats = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summary(values)]));
  for (const [name, stat] of Object.entries(stats)) {
    console.log(`  ${name.padEnd(20)} p50 ${ms(stat.p50)}  p99 ${ms(stat.p99)}  mean ${ms(stat.mean)}`);
  }
  const client_ = stats["client.chat"];
  for (const raw of ["raw undici.request", "raw undici fetch"]) {
    const base = stats[raw];
    console.log(
      `  client overhead over ${raw}: p50 +${ms(client_.p50 - base.p50)}, p99 +${ms(client_.p99 - base.p99)}`,
    );
  }
  const sdkAlone = stats["openai SDK alone"];
  console.log(
    `  of which the openai SDK over raw undici fetch: p50 +${ms(sdkAlone.p50 - stats["raw undici fetch"].p50)};` +
      ` the client's own layer over the SDK: p50 +${ms(client_.p50 - sdkAlone.p50)}, mean +${ms(client_.mean - sdkAlone.mean)}`,
  );
  return stats;
}

// ---------------------------------------------------------------------------------------------
// (2) Throughput

const Dockerfile = z.object({
  summary: z.string().describe("one sentence"),
  baseImage: z.string(),
  stages: z
    .array(z.object({ name: z.string(), commands: z.array(z.string()).max(4) }))
    .min(1)
    .max(3),
  exposedPort: z.number().int().min(1).max(65_535).optional(),
});

const SYSTEM = "You are the infrastructure agent of a developer-tools platform. You write production Dockerfiles.";
const INSTRUCTIONS = "Use a multi-stage build, a pinned base image and a non-root user. Keep each stage short.";
const subtask = (index) => [
  { title: "Subtask", content: `Containerise service number ${index} of the billing platform` },
  { title: "Upstream results", content: { repository: `billing-${index}`, language: index % 2 ? "typescript" : "go" } },
];

const simulatorFlags = () => [
  ...["--max-num-seqs", String(MAX_NUM_SEQS), "--ttft-ms", String(TTFT_MS)],
  ...["--tokens-per-second", String(TOKENS_PER_SECOND)],
];

/** The simulator's capacity: exactly 8 raw requests in flight at all times over the same subtasks. */
async function rawCapacity() {
  const simulator = await startSimulator(simulatorFlags());
  const pool = new Agent({ keepAliveTimeout: 30_000 });
  const format = structuredFormat(Dockerfile, "dockerfile");
  // The very bodies the client sends: same prompt layout, same response format.
  const bodies = Array.from({ length: SUBTASKS }, (_, index) =>
    JSON.stringify({
      model: MODEL,
      messages: buildPrompt({ staticParts: [SYSTEM, format.description, INSTRUCTIONS], variableParts: subtask(index) }),
      response_format: format.responseFormat,
    }),
  );
  const headers = { "content-type": "application/json", authorization: "Bearer EMPTY" };
  const latencies = [];
  const stopSampling = sampleRunning(simulator.metrics, pool);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: MAX_NUM_SEQS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const begun = performance.now();
        const response = await request(`${simulator.url}/chat/completions`, {
          method: "POST",
          body,
          headers,
          dispatcher: pool,
        });
        const answer = await response.body.json();
        if (response.statusCode !== 200) throw new Error(`raw request failed: ${JSON.stringify(answer)}`);
        // The same validation the client does, so that both sides do the same work.
        const parsed = await parseAnswer(answer.choices[0].message.content, Dockerfile);
        if (!parsed.ok) throw new Error(`invalid structured answer: ${JSON.stringify(parsed.issues)}`);
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const running = await stopSampling();
  await pool.close();
  await simulator.stop();
  const meanSeconds = latencies.reduce((sum, value) => sum + value, 0) / latencies.length / 1000;
  return { capacity: MAX_NUM_SEQS / meanSeconds, wallRate: SUBTASKS / wallSeconds, meanSeconds, wallSeconds, running };
}

/** 100 concurrent structured subtasks through the client, limited to 8 in flight. */
async function clientThroughput() {
  const simulator = await startSimulator(simulatorFlags());
  const pool = new Agent({ keepAliveTimeout: 30_000 });
  const client = new InferenceClient({
    config: {
      backends: [{ url: simulator.url, maxConcurrency: MAX_NUM_SEQS }],
      model: MODEL,
      apiKey: undefined,
      timeoutMs: 120_000,
      maxRetries: 3,
    },
  });
  const stopSampling = sampleRunning(simulator.metrics, pool);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: SUBTASKS }, (_, index) =>
      client.generateObject({
        schema: Dockerfile,
        name: "dockerfile",
        system: SYSTEM,
        instructions: INSTRUCTIONS,
        input: subtask(index),
      }),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const running = await stopSampling();
  const [backend] = client.backends();
  await client.close();
  await pool.close();
  await simulator.stop();
  const cached = results.reduce((sum, result) => sum + (result.usage.cachedPromptTokens ?? 0), 0);
  const prompt = results.reduce((sum, result) => sum + result.usage.promptTokens, 0);
  return {
    rate: SUBTASKS / wallSeconds,
    wallSeconds,
    running,
    clientMaxInFlight: backend.maxInFlight,
    repaired: results.filter((result) => result.repaired).length,
    attempts: results.reduce((sum, result) => sum + result.attempts, 0),
    cachedShare: cached / prompt,
  };
}

async function throughput() {
  const raw = await rawCapacity();
  const viaClient = await clientThroughput();
  console.log(
    `\n(2) throughput: ${SUBTASKS} structured subtasks, simulator max_num_seqs ${MAX_NUM_SEQS}, ttft ${TTFT_MS} ms, ${TOKENS_PER_SECOND} tokens/s per sequence`,
  );
  console.log(
    `  raw, exactly ${MAX_NUM_SEQS} in flight: mean latency ${(raw.meanSeconds * 1000).toFixed(0)} ms -> capacity ${raw.capacity.toFixed(2)} requests/s` +
      ` (${SUBTASKS} done in ${raw.wallSeconds.toFixed(2)} s = ${raw.wallRate.toFixed(2)}/s); max running ${raw.running.max} over ${raw.running.samples} samples`,
  );
  console.log(
    `  client, ${SUBTASKS} at once, limit ${MAX_NUM_SEQS}: ${SUBTASKS} done in ${viaClient.wallSeconds.toFixed(2)} s = ${viaClient.rate.toFixed(2)} requests/s;` +
      ` ${viaClient.attempts} HTTP attempts, ${viaClient.repaired} repaired, ${(100 * viaClient.cachedShare).toFixed(0)}% of prompt tokens from the prefix cache`,
  );
  console.log(
    `  max running on the simulator's gauge: ${viaClient.running.max} over ${viaClient.running.samples} samples (must be <= ${MAX_NUM_SEQS});` +
      ` client's own max in flight: ${viaClient.clientMaxInFlight}`,
  );
  console.log(
    `  client/capacity: ${((100 * viaClient.rate) / raw.capacity).toFixed(1)}%;` +
      ` client/raw same-batch rate: ${((100 * viaClient.rate) / raw.wallRate).toFixed(1)}%`,
  );
  return { raw, client: viaClient };
}

async function main() {
  console.log(`node ${process.version}; simulator: packages/inference-simulator (own process)`);
  const figures = { overhead: await overhead(), throughput: await throughput() };
  const parameters = {
    overheadCalls: OVERHEAD_CALLS,
    warmupCalls: WARMUP_CALLS,
    subtasks: SUBTASKS,
    ttftMs: TTFT_MS,
    tokensPerSecond: TOKENS_PER_SECOND,
    maxNumSeqs: MAX_NUM_SEQS,
  };
  printGoals(inferenceGoals(figures, parameters));
  writeResult("inference", parameters, figures);
}

runGuarded(main, { watchdogMs: WATCHDOG_MS });
