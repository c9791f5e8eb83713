// BENCHMARKS.md, "Inference client": the client's overhead over a raw HTTP call, and its throughput.

import { inferenceGoals } from "../../support/goals.mjs";
import { envLine, fixed, ms, percent, table } from "../markdown.mjs";

export const inference = {
  name: "inference",
  script: "bench/inference.mjs",
  title: "Inference client: overhead over a raw HTTP call, and throughput against the backend's capacity",
  goals: (result) => inferenceGoals(result.figures, result.parameters),
  render({ parameters: p, figures }) {
    const variants = figures.overhead;
    const raw = variants["raw undici.request"];
    const { raw: capacity, client } = figures.throughput;
    return `
**Anchor**: the raw call — the same chat request sent with \`undici.request\` (and with undici's \`fetch\`) over a
keep-alive pool, and the backend's own capacity measured by driving it directly.

\`\`\`sh
${envLine({
  BENCH_OVERHEAD_CALLS: p.overheadCalls,
  BENCH_WARMUP_CALLS: p.warmupCalls,
  BENCH_SUBTASKS: p.subtasks,
  BENCH_TTFT_MS: p.ttftMs,
  BENCH_TOKENS_PER_SECOND: p.tokensPerSecond,
})} node bench/inference.mjs
\`\`\`

**(1) Overhead**, ${p.overheadCalls} sequential calls per variant after ${p.warmupCalls} of warm-up, zero-latency simulator:

${table(
  ["variant", "p50", "p99", "mean", "p50 over raw undici.request"],
  Object.entries(variants).map(([name, stat]) => [
    name,
    ms(stat.p50),
    ms(stat.p99),
    ms(stat.mean),
    ms(stat.p50 - raw.p50),
  ]),
)}

**(2) Throughput**, ${p.subtasks} structured subtasks, simulator \`--max-num-seqs ${p.maxNumSeqs} --ttft-ms ${p.ttftMs} --tokens-per-second ${p.tokensPerSecond}\`:

${table(
  ["", "requests/s", "wall time", "max running (gauge)", "notes"],
  [
    [
      `raw, exactly ${p.maxNumSeqs} in flight (capacity)`,
      fixed(capacity.capacity, 2),
      `${fixed(capacity.wallSeconds, 2)} s`,
      capacity.running.max,
      `mean latency ${fixed(capacity.meanSeconds * 1000, 0)} ms; same batch ${fixed(capacity.wallRate, 2)}/s`,
    ],
    [
      `client, all at once, limit ${p.maxNumSeqs}`,
      fixed(client.rate, 2),
      `${fixed(client.wallSeconds, 2)} s`,
      client.running.max,
      `${client.attempts} HTTP attempts, ${client.repaired} repaired, ${percent(client.cachedShare)} of prompt tokens cached; client's own max in flight ${client.clientMaxInFlight}`,
    ],
  ],
)}

Client against capacity: **${percent(client.rate / capacity.capacity)}**; against the raw workers' same batch: ${percent(client.rate / capacity.wallRate)}.

#### Method

- **(1) Overhead.** One simulator with zero latency (\`--ttft-ms 0\`, decode and prefill at 10⁹ tokens/s), so what
  is measured is HTTP plus the server's own handling. Four variants send the same request (one user message,
  \`max_tokens: 16\`) one at a time over keep-alive connections: \`undici.request\` and undici's \`fetch\` with an
  \`Agent\` (the raw anchors, body parsed as JSON), the \`openai\` SDK configured exactly as the client configures
  it (to separate the SDK's cost), and \`client.chat()\`. Calls run in interleaved blocks of 100, so that drift on
  the shared machine (GC, JIT, other processes) spreads over all variants alike. Overhead = client percentile −
  anchor percentile.
- **(2) Throughput.** Each subtask is a \`json_schema\` request for a Dockerfile plan, with an upstream-results
  section. _Capacity_: a fresh simulator driven with exactly ${p.maxNumSeqs} concurrent raw \`undici.request\` workers over
  the very bodies the client would send, validated the same way; capacity = ${p.maxNumSeqs} / mean latency. _Client_:
  another fresh simulator (neither phase inherits the other's prefix cache), one \`InferenceClient\` with the
  backend's limit at ${p.maxNumSeqs}, every \`generateObject\` call started at once; rate = subtasks / wall time. Both
  phases sample the simulator's \`vllm:num_requests_running\` gauge every few milliseconds.

#### Reading the figures

- The SDK sends through \`fetchThrough\` (\`packages/inference/src/transport.ts\`), a \`fetch\` built on
  \`undici.request\` that returns a standard \`Response\`, so the SDK costs about what a raw \`fetch\` costs; the
  rest of the client's overhead is its own layer (backend choice, limiter, deadline, metrics, retry loop).
- At p99 the differences swing both ways from run to run: they measure the machine's noise, not the client.
- The gap between the client and capacity is mostly the drain tail of a finite burst (the last round runs
  partly filled while the slots run dry); the raw workers' same batch has the same tail, which is why the
  same-batch ratio is shown too. The FIFO limiter hands a freed slot to the next waiting call at once.
`;
  },
};
