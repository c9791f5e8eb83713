import { z } from "zod";

/** One OpenAI-compatible server the client may send requests to. */
export interface BackendConfig {
  /** Base URL, ending where the OpenAI paths start (`…/v1`), without a trailing slash. */
  url: string;
  /** Requests in flight to this backend at most; more wait in its FIFO queue. */
  maxConcurrency: number;
}

/** Everything the inference client needs, as `inferenceConfigFrom` builds it from the environment. */
export interface InferenceConfig {
  backends: BackendConfig[];
  /** The model to ask for; when undefined the client uses the first one each backend lists at `GET /models`. */
  model: string | undefined;
  /** Sent as `Authorization: Bearer …`; never logged and never part of an error. */
  apiKey: string | undefined;
  /** Deadline of one HTTP attempt (for streams: the longest silence between two chunks). */
  timeoutMs: number;
  /** Attempts after the first one, on retryable failures. */
  maxRetries: number;
}

/** Thrown by `inferenceConfigFrom` when the variables are individually valid but do not make a configuration. */
export class InferenceConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid inference configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "InferenceConfigError";
    this.problems = problems;
  }
}

/** A problem with a base URL, or undefined when it is an absolute http(s) URL. */
function baseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not an absolute URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `"${text}" is not an http(s) URL`;
  if (url.search || url.hash) return `"${text}" must not have a query or fragment`;
  return undefined;
}

// The SDK appends `/chat/completions` to the base URL; a trailing slash would double it.
const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, "");

const baseUrl = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const problem = baseUrlProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform(withoutTrailingSlash);

/**
 * `INFERENCE_BACKENDS`: comma-separated base URLs, each optionally followed by `|` and its own
 * concurrency limit: `http://gpu1:8000/v1|8,http://gpu2:8000/v1|4,http://gpu3:8000/v1`.
 * `|` cannot appear unescaped in a URL, so the split is unambiguous. Entries without a limit get
 * `INFERENCE_MAX_CONCURRENCY`.
 */
const backendList = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const entries: { url: string; maxConcurrency: number | undefined }[] = [];
    let failed = false;
    for (const raw of text.split(",")) {
      const entry = raw.trim();
      if (!entry) continue;
      const [url = "", limit, ...rest] = entry.split("|").map((part) => part.trim());
      const problem =
        baseUrlProblem(url) ??
        (rest.length > 0 ? `"${entry}" has more than one "|"` : undefined) ??
        (limit !== undefined && !/^[1-9]\d*$/.test(limit)
          ? `"${entry}": the limit after "|" must be a positive integer`
          : undefined);
      const normalised = withoutTrailingSlash(url);
      const duplicate = entries.some((known) => known.url === normalised)
        ? `"${normalised}" is listed twice`
        : undefined;
      if (problem ?? duplicate) {
        ctx.addIssue({ code: "custom", message: problem ?? duplicate });
        failed = true;
        continue;
      }
      entries.push({ url: normalised, maxConcurrency: limit === undefined ? undefined : Number(limit) });
    }
    if (entries.length === 0 && !failed) {
      ctx.addIssue({ code: "custom", message: "lists no backend (expected url[|limit],url[|limit]…)" });
    }
    return entries;
  });

/**
 * The inference variables, for services to merge into their own environment schema
 * (`z.object({ ...serviceEnvironment.shape, ...inferenceEnvironment.shape })`) and parse once with
 * service-kit's `parseEnvironment`. It has no cross-field rules, so that it stays mergeable;
 * `inferenceConfigFrom` checks those.
 */
export const inferenceEnvironment = z.object({
  /** One OpenAI-compatible base URL, e.g. `http://gpu-worker:8000/v1`. */
  INFERENCE_BASE_URL: baseUrl.optional(),
  /** Several backends, `url[|limit],…`; takes precedence over INFERENCE_BASE_URL when both are set. */
  INFERENCE_BACKENDS: backendList.optional(),
  INFERENCE_MODEL: z.string().trim().min(1).optional(),
  INFERENCE_API_KEY: z.string().optional(),
  /** The concurrency limit of backends that do not give their own; vLLM's default max_num_seqs is far higher, 8 keeps latency flat. */
  INFERENCE_MAX_CONCURRENCY: z.coerce.number().int().positive().default(8),
  /** Long enough for a few thousand tokens at a small GPU's decoding speed. */
  INFERENCE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  INFERENCE_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
});

export type InferenceEnvironment = z.infer<typeof inferenceEnvironment>;

/**
 * Builds the client configuration from the parsed inference variables.
 * @throws InferenceConfigError when neither INFERENCE_BACKENDS nor INFERENCE_BASE_URL names a backend.
 */
export function inferenceConfigFrom(env: InferenceEnvironment): InferenceConfig {
  const listed =
    env.INFERENCE_BACKENDS ??
    (env.INFERENCE_BASE_URL ? [{ url: env.INFERENCE_BASE_URL, maxConcurrency: undefined }] : []);
  if (listed.length === 0) {
    throw new InferenceConfigError([
      "INFERENCE_BASE_URL: required (an OpenAI-compatible base URL such as http://gpu-worker:8000/v1), or list several in INFERENCE_BACKENDS",
    ]);
  }
  return {
    backends: listed.map((backend) => ({
      url: backend.url,
      maxConcurrency: backend.maxConcurrency ?? env.INFERENCE_MAX_CONCURRENCY,
    })),
    model: env.INFERENCE_MODEL,
    apiKey: env.INFERENCE_API_KEY,
    timeoutMs: env.INFERENCE_TIMEOUT_MS,
    maxRetries: env.INFERENCE_MAX_RETRIES,
  };
}
