import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs the bin with `args` and a clean SIMULATOR_* environment; collects everything it prints. */
function run(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("SIMULATOR_") && name !== "VLLM_API_KEY"),
  );
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString("utf8");
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, output, exited };
}

describe("devtools-inference-simulator (the bin)", () => {
  it("starts with flags, logs one line with its URL and model, serves, and stops on SIGTERM", async () => {
    const { child, output, exited } = run(
      ["--host", "127.0.0.1", "--port", "0", "--served-model-name", "sim-a", "sim-b"],
      {
        SIMULATOR_MAX_NUM_SEQS: "3",
      },
    );

    const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output.stdout)?.[1], {
      what: `the listening line (stderr: ${output.stderr})`,
    });
    expect(output.stdout).toMatch(
      /^inference simulator listening on http:\/\/127\.0\.0\.1:\d+\/v1 \(model sim-a, sim-b\)\n$/,
    );
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(["sim-a", "sim-b"]);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses a bad flag and a bad variable, naming each, and exits 1", async () => {
    const { output, exited } = run(["--max-num-seqs", "many", "--no-such-flag"], { SIMULATOR_ERROR_RATE: "2" });

    expect(await exited).toBe(1);
    expect(output.stderr).toContain('--max-num-seqs="many"');
    expect(output.stderr).toContain("unknown flag --no-such-flag");
    expect(output.stderr).toContain('SIMULATOR_ERROR_RATE="2"');
    expect(output.stdout).toBe("");
  });

  it("prints its flags with --help", async () => {
    const { output, exited } = run(["--help"]);

    expect(await exited).toBe(0);
    expect(output.stdout).toContain("--max-num-seqs <value>");
    expect(output.stdout).toContain("SIMULATOR_TOKENS_PER_SECOND");
  });
});
