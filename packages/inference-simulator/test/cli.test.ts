import { describe, expect, it } from "vitest";
import { CommandLineError, parseCommandLine } from "../src/cli.ts";
import { DEFAULT_PORT, resolveOptions } from "../src/options.ts";

const problemsOf = (argv: string[], env: Record<string, string> = {}) => {
  try {
    parseCommandLine(argv, env);
    return [];
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    return error.problems;
  }
};

describe("parseCommandLine", () => {
  it("reads vLLM-style flags, --flag=value, a positional model and switches", () => {
    const { options } = parseCommandLine(
      [
        "Qwen/Qwen2.5-7B",
        "--max-model-len=8192",
        "--served-model-name",
        "a",
        "b",
        "--no-enable-prefix-caching",
        "--seed",
        "9",
      ],
      {},
    );

    expect(resolveOptions(options)).toMatchObject({
      model: "Qwen/Qwen2.5-7B",
      servedModelNames: ["a", "b"],
      maxModelLen: 8192,
      enablePrefixCaching: false,
      seed: 9,
      host: "0.0.0.0",
      port: DEFAULT_PORT,
    });
  });

  it("takes SIMULATOR_* variables, lets flags win, and falls back to VLLM_API_KEY", () => {
    const env = { SIMULATOR_TOKENS_PER_SECOND: "50", SIMULATOR_PORT: "9000", VLLM_API_KEY: "from-vllm" };

    const resolved = resolveOptions(parseCommandLine(["--port", "9100"], env).options);

    expect(resolved).toMatchObject({ tokensPerSecond: 50, port: 9100, apiKey: ["from-vllm"] });
    expect(resolveOptions(parseCommandLine([], { ...env, SIMULATOR_API_KEY: "mine" }).options).apiKey).toEqual([
      "mine",
    ]);
  });

  it("serves the model under its own name when no served name is given, and says simulator otherwise", () => {
    expect(resolveOptions(parseCommandLine(["--model", "org/model"], {}).options).servedModelNames).toEqual([
      "org/model",
    ]);
    expect(resolveOptions({}).servedModelNames).toEqual(["devtools-simulator"]);
  });

  it("names every bad flag and variable, without echoing API keys", () => {
    const problems = problemsOf(["--port", "-1", "--drop-rate", "1.5", "--ttft-ms"], {
      SIMULATOR_MAX_NUM_SEQS: "0",
      SIMULATOR_API_KEY: "",
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        "--ttft-ms needs a value",
        expect.stringMatching(/^--port="-1": /),
        expect.stringMatching(/^--drop-rate="1\.5": /),
        expect.stringMatching(/^SIMULATOR_MAX_NUM_SEQS="0": /),
      ]),
    );
    expect(problemsOf(["--api-key", ""]).join("\n")).not.toContain('=""');
  });
});
