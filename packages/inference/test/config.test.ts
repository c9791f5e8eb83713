import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InferenceConfigError, inferenceConfigFrom, inferenceEnvironment } from "../src/config.ts";

const parse = (env: Record<string, string>) => inferenceConfigFrom(inferenceEnvironment.parse(env));

function issuesOf(env: Record<string, string>): string[] {
  const result = inferenceEnvironment.safeParse(env);
  if (result.success) throw new Error("expected the environment to be rejected");
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("inference configuration", () => {
  it("reads one backend from INFERENCE_BASE_URL, with defaults", () => {
    expect(parse({ INFERENCE_BASE_URL: "http://gpu-worker:8000/v1/" })).toEqual({
      backends: [{ url: "http://gpu-worker:8000/v1", maxConcurrency: 8 }],
      model: undefined,
      apiKey: undefined,
      timeoutMs: 120_000,
      maxRetries: 3,
    });
  });

  it("reads several backends, each with its own limit or the default one", () => {
    const config = parse({
      INFERENCE_BACKENDS: " http://gpu1:8000/v1|8 , http://gpu2:8000/v1|4,http://gpu3:8000/v1 ",
      INFERENCE_MAX_CONCURRENCY: "2",
      INFERENCE_MODEL: "Qwen/Qwen2.5-7B-Instruct",
      INFERENCE_API_KEY: "k",
      INFERENCE_TIMEOUT_MS: "30000",
      INFERENCE_MAX_RETRIES: "0",
    });

    expect(config).toEqual({
      backends: [
        { url: "http://gpu1:8000/v1", maxConcurrency: 8 },
        { url: "http://gpu2:8000/v1", maxConcurrency: 4 },
        { url: "http://gpu3:8000/v1", maxConcurrency: 2 },
      ],
      model: "Qwen/Qwen2.5-7B-Instruct",
      apiKey: "k",
      timeoutMs: 30_000,
      maxRetries: 0,
    });
  });

  it("lets INFERENCE_BACKENDS win over INFERENCE_BASE_URL", () => {
    const config = parse({ INFERENCE_BASE_URL: "http://one:8000/v1", INFERENCE_BACKENDS: "http://two:8000/v1" });

    expect(config.backends.map((backend) => backend.url)).toEqual(["http://two:8000/v1"]);
  });

  it("names each bad entry of INFERENCE_BACKENDS", () => {
    expect(
      issuesOf({ INFERENCE_BACKENDS: "gpu1:8000|8,http://gpu2:8000/v1|0,http://gpu3/v1|2|3,http://gpu2:8000/v1/" }),
    ).toEqual([
      'INFERENCE_BACKENDS: "gpu1:8000" is not an http(s) URL',
      'INFERENCE_BACKENDS: "http://gpu2:8000/v1|0": the limit after "|" must be a positive integer',
      'INFERENCE_BACKENDS: "http://gpu3/v1|2|3" has more than one "|"',
    ]);
    expect(issuesOf({ INFERENCE_BACKENDS: "http://a/v1,http://a/v1/" })).toEqual([
      'INFERENCE_BACKENDS: "http://a/v1" is listed twice',
    ]);
    expect(issuesOf({ INFERENCE_BACKENDS: " , " })).toEqual([
      "INFERENCE_BACKENDS: lists no backend (expected url[|limit],url[|limit]…)",
    ]);
  });

  it("rejects bad numbers and URLs", () => {
    expect(
      issuesOf({ INFERENCE_BASE_URL: "not a url", INFERENCE_MAX_CONCURRENCY: "0", INFERENCE_TIMEOUT_MS: "soon" }).map(
        (issue) => issue.split(":")[0],
      ),
    ).toEqual(["INFERENCE_BASE_URL", "INFERENCE_MAX_CONCURRENCY", "INFERENCE_TIMEOUT_MS"]);
  });

  it("refuses a configuration without any backend, naming the variable to set", () => {
    expect(() => parse({})).toThrow(InferenceConfigError);
    expect(() => parse({})).toThrow(/INFERENCE_BASE_URL: required/);
  });

  it("merges into a service's own environment schema", () => {
    const serviceEnvironment = z.object({ PORT: z.coerce.number() });
    const merged = z.object({ ...serviceEnvironment.shape, ...inferenceEnvironment.shape });

    const env = merged.parse({ PORT: "8004", INFERENCE_BASE_URL: "http://localhost:8100/v1" });

    expect(inferenceConfigFrom(env).backends).toEqual([{ url: "http://localhost:8100/v1", maxConcurrency: 8 }]);
  });
});
