import { DEFAULT_PORT, type SimulatorInput, simulatorOptionsSchema } from "./options.ts";

type OptionKey = keyof SimulatorInput;

interface Setting {
  key: OptionKey;
  flag: string;
  help: string;
  /** Takes several values (`--served-model-name a b`), like vLLM's nargs="+" flags. */
  many?: boolean;
  /** A switch: `--flag` sets it, `--no-flag` clears it. */
  boolean?: boolean;
  /** Never echoed in error messages. */
  secret?: boolean;
}

/** Every flag, with its SIMULATOR_* variable (the flag's name in capitals). Flags named like vLLM's where vLLM has one. */
const SETTINGS: readonly Setting[] = [
  { key: "host", flag: "--host", help: "address to listen on (default 0.0.0.0)" },
  { key: "port", flag: "--port", help: `port to listen on (default ${DEFAULT_PORT})` },
  {
    key: "model",
    flag: "--model",
    help: "model path reported as root in /v1/models (also the first positional argument)",
  },
  {
    key: "servedModelName",
    flag: "--served-model-name",
    help: "names clients may use (default: devtools-simulator)",
    many: true,
  },
  { key: "maxModelLen", flag: "--max-model-len", help: "context length in tokens (default 32768)" },
  { key: "maxNumSeqs", flag: "--max-num-seqs", help: "sequences running at once (default 256)" },
  {
    key: "apiKey",
    flag: "--api-key",
    help: "require Bearer auth on /v1/* (also VLLM_API_KEY)",
    many: true,
    secret: true,
  },
  { key: "seed", flag: "--seed", help: "generation seed for requests without one (default 0)" },
  { key: "blockSize", flag: "--block-size", help: "tokens per KV block (default 16)" },
  {
    key: "numGpuBlocksOverride",
    flag: "--num-gpu-blocks-override",
    help: "KV blocks, bounds the prefix cache (default 8192)",
  },
  { key: "enablePrefixCaching", flag: "--enable-prefix-caching", help: "prefix caching (default on)", boolean: true },
  { key: "ttftMs", flag: "--ttft-ms", help: "base time to first token in ms (default 20)" },
  { key: "prefillTokensPerSecond", flag: "--prefill-tokens-per-second", help: "prefill speed (default 50000)" },
  { key: "tokensPerSecond", flag: "--tokens-per-second", help: "decode speed per sequence (default 2000)" },
  { key: "errorRate", flag: "--error-rate", help: "probability of an injected error answer (default 0)" },
  { key: "errorStatusCodes", flag: "--error-status-codes", help: "statuses for injected errors (default 500,503)" },
  { key: "slowRate", flag: "--slow-rate", help: "probability of extra delay (default 0)" },
  { key: "slowMs", flag: "--slow-ms", help: "the extra delay in ms (default 2000)" },
  { key: "hangRate", flag: "--hang-rate", help: "probability of never answering (default 0)" },
  { key: "dropRate", flag: "--drop-rate", help: "probability of dropping the connection (default 0)" },
  { key: "faultSeed", flag: "--fault-seed", help: "makes fault decisions reproducible" },
];

const envName = (setting: Setting) => `SIMULATOR_${setting.flag.slice(2).replaceAll("-", "_").toUpperCase()}`;

/** Every variable the simulator reads, for deployment files to be checked against. */
export const SIMULATOR_VARIABLES: readonly string[] = [...SETTINGS.map(envName), "VLLM_API_KEY"];

/** Thrown for a bad command line or environment; names every offending flag or variable. */
export class CommandLineError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "CommandLineError";
    this.problems = problems;
  }
}

export interface CommandLine {
  options: SimulatorInput;
  help: boolean;
}

/**
 * Reads flags (`--flag value`, `--flag=value`) and SIMULATOR_* variables; flags win over
 * variables, and --api-key also falls back to vLLM's VLLM_API_KEY. Everything is validated here,
 * so a bad value stops start-up. @throws CommandLineError.
 */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): CommandLine {
  const problems: string[] = [];
  const fromFlags = new Map<OptionKey, string | string[] | boolean>();
  const byFlag = new Map(SETTINGS.map((setting) => [setting.flag, setting]));
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      if (fromFlags.has("model")) problems.push(`unexpected argument ${JSON.stringify(arg)}`);
      else fromFlags.set("model", arg);
      continue;
    }
    const [name = "", inline] = arg.split(/=(.*)/s, 2);
    const negated = name.startsWith("--no-") ? byFlag.get(`--${name.slice(5)}`) : undefined;
    const setting = byFlag.get(name) ?? (negated?.boolean ? negated : undefined);
    if (!setting) {
      problems.push(`unknown flag ${name}`);
      continue;
    }
    if (setting.boolean) {
      fromFlags.set(setting.key, inline ?? (setting === negated ? "false" : "true"));
      continue;
    }
    const values = inline === undefined ? [] : [inline];
    while (inline === undefined && index + 1 < argv.length && !(argv[index + 1] ?? "").startsWith("--")) {
      values.push(argv[++index] ?? "");
      if (!setting.many) break;
    }
    if (values.length === 0) problems.push(`${name} needs a value`);
    else fromFlags.set(setting.key, setting.many ? values : (values[0] ?? ""));
  }

  const raw: Record<string, unknown> = {};
  const source = new Map<OptionKey, string>();
  for (const setting of SETTINGS) {
    const variable = envName(setting);
    const envValue = [env[variable], setting.key === "apiKey" ? env.VLLM_API_KEY : undefined].find((v) => v);
    if (fromFlags.has(setting.key)) {
      raw[setting.key] = fromFlags.get(setting.key);
      source.set(setting.key, setting.flag);
    } else if (envValue !== undefined) {
      raw[setting.key] = envValue;
      source.set(setting.key, env[variable] ? variable : "VLLM_API_KEY");
    }
  }
  // The bin serves on every interface at the well-known port; the library defaults to loopback, port 0.
  raw.host ??= "0.0.0.0";
  raw.port ??= DEFAULT_PORT;

  const result = simulatorOptionsSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path[0] as OptionKey;
      const setting = SETTINGS.find((candidate) => candidate.key === key);
      const name = source.get(key) ?? setting?.flag ?? String(key);
      const value = raw[key];
      const shown = setting?.secret || value === undefined ? "" : `=${JSON.stringify(value)}`;
      problems.push(`${name}${shown}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new CommandLineError(problems);
  return { options: result.data, help };
}

/** The --help text. */
export function usage(): string {
  const lines = SETTINGS.map((setting) => {
    const flag = setting.boolean ? `${setting.flag}, --no-${setting.flag.slice(2)}` : `${setting.flag} <value>`;
    return `  ${flag.padEnd(38)} ${setting.help} [${envName(setting)}]`;
  });
  return [
    "devtools-inference-simulator [model] [flags]",
    "",
    "An OpenAI-compatible server that behaves like vLLM, without a GPU. Flags win over SIMULATOR_* variables.",
    "",
    ...lines,
    "",
  ].join("\n");
}
