import { z } from "zod";

/** The model name the simulator serves unless told otherwise: it says what it is. */
export const DEFAULT_SERVED_MODEL_NAME = "devtools-simulator";
/** The port the bin listens on by default (8000–8006 are the platform's services). */
export const DEFAULT_PORT = 8010;

const list = <Item extends z.ZodType>(item: Item) =>
  z.preprocess(
    (value) =>
      typeof value === "string"
        ? value
            .split(",")
            .map((part) => part.trim())
            .filter((part) => part !== "")
        : value,
    z.array(item),
  );

const flag = z.preprocess((value) => {
  if (typeof value !== "string") return value;
  const normal = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(normal)) return true;
  if (["false", "0", "no", "off"].includes(normal)) return false;
  return value;
}, z.boolean());

const probability = z.coerce.number().min(0).max(1);
const positiveInt = z.coerce.number().int().positive();
const positive = z.coerce.number().positive();
const nonNegative = z.coerce.number().min(0);

/** What code may pass to createSimulator/startSimulator; every field is optional. */
export interface SimulatorInput {
  /** vLLM's --model: reported as `root` in /v1/models; also the served name when none is given. */
  model?: string;
  /** vLLM's --served-model-name: names clients may ask for; the first is reported in responses. */
  servedModelName?: string | string[];
  /** vLLM's --max-model-len: prompt plus output tokens per sequence. Default 32768. */
  maxModelLen?: number;
  /** vLLM's --max-num-seqs: sequences running at once; the rest wait in FIFO order. Default 256. */
  maxNumSeqs?: number;
  /** vLLM's --api-key: when set, /v1/* needs `Authorization: Bearer <key>` (any of them). */
  apiKey?: string | string[];
  /** vLLM's --seed: the generation seed for requests that send none. Default 0. */
  seed?: number;
  /** vLLM's --block-size: tokens per KV block, the prefix cache's unit. Default 16. */
  blockSize?: number;
  /** vLLM's --num-gpu-blocks-override: KV blocks; bounds the prefix cache, sets kv_cache_usage_perc. Default 8192. */
  numGpuBlocksOverride?: number;
  /** vLLM's --enable-prefix-caching (on by default in vLLM V1). */
  enablePrefixCaching?: boolean;
  /** Time to first token before any prefill work, in ms. Default 20. */
  ttftMs?: number;
  /** Prefill speed: each uncached prompt token adds 1/this seconds to the time to first token. Default 50000. */
  prefillTokensPerSecond?: number;
  /** Decode speed of one sequence, in tokens per second. Default 2000. */
  tokensPerSecond?: number;
  /** Probability that a generation request fails with one of `errorStatusCodes`. Default 0. */
  errorRate?: number;
  /** Statuses an injected error picks from (500, 503 and 429 are the useful ones). Default [500, 503]. */
  errorStatusCodes?: number[];
  /** Probability that a request gets `slowMs` of extra delay before its first token. Default 0. */
  slowRate?: number;
  /** Default 2000. */
  slowMs?: number;
  /** Probability that a request is accepted and never answered (until the client gives up). Default 0. */
  hangRate?: number;
  /** Probability that the connection is dropped: before the answer, or mid-stream for streams. Default 0. */
  dropRate?: number;
  /** Makes fault decisions a fixed sequence (in request arrival order). */
  faultSeed?: number;
  /** Where `startSimulator` listens. Defaults 127.0.0.1 and 0 (an ephemeral port); the bin's are 0.0.0.0 and 8010. */
  host?: string;
  port?: number;
}

/**
 * Every knob with its default and bounds (documented on SimulatorInput). Values may also be
 * strings, as flags and environment variables give them; both go through the same coercion.
 */
export const simulatorOptionsSchema = z.object({
  model: z.string().min(1).optional(),
  servedModelName: list(z.string().min(1)).optional(),
  maxModelLen: positiveInt.default(32_768),
  maxNumSeqs: positiveInt.default(256),
  apiKey: list(z.string().min(1)).default([]),
  seed: z.coerce.number().int().default(0),
  blockSize: positiveInt.default(16),
  numGpuBlocksOverride: positiveInt.default(8_192),
  enablePrefixCaching: flag.default(true),
  ttftMs: nonNegative.default(20),
  prefillTokensPerSecond: positive.default(50_000),
  tokensPerSecond: positive.default(2_000),
  errorRate: probability.default(0),
  errorStatusCodes: list(z.coerce.number().int().min(400).max(599)).default([500, 503]),
  slowRate: probability.default(0),
  slowMs: nonNegative.default(2_000),
  hangRate: probability.default(0),
  dropRate: probability.default(0),
  faultSeed: z.coerce.number().int().optional(),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65_535).default(0),
} satisfies { [Key in keyof Required<SimulatorInput>]: z.ZodType });

export type ParsedOptions = z.output<typeof simulatorOptionsSchema>;

/** Options after defaults, with the model names settled. */
export interface SimulatorOptions extends Omit<ParsedOptions, "model" | "servedModelName"> {
  model: string;
  servedModelNames: string[];
}

/** Applies defaults and bounds. @throws z.ZodError naming the bad option. */
export function resolveOptions(input: SimulatorInput = {}): SimulatorOptions {
  const { model, servedModelName, ...rest } = simulatorOptionsSchema.parse(input);
  // As in vLLM, the served name defaults to the model; with neither, the name says "simulator".
  const servedModelNames = servedModelName?.length ? servedModelName : [model ?? DEFAULT_SERVED_MODEL_NAME];
  return { ...rest, model: model ?? servedModelNames[0] ?? DEFAULT_SERVED_MODEL_NAME, servedModelNames };
}
