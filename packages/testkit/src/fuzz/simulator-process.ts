import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { waitFor } from "../poll.ts";

const SIMULATOR_MAIN = fileURLToPath(new URL("../../../inference-simulator/src/main.ts", import.meta.url));

export interface SimulatorProcess {
  /** Base URL for OpenAI clients, ending in /v1 (what `INFERENCE_BASE_URL` takes). */
  url: string;
  stop: () => Promise<void>;
}

/**
 * The inference simulator as its own process on a free port, fast (no time to first token, quick
 * decoding) so that thousands of requests that reach the model stay cheap. `flags` are its CLI flags.
 */
export async function startSimulatorProcess(flags: readonly string[] = []): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      SIMULATOR_MAIN,
      "--host=127.0.0.1",
      "--port=0",
      "--ttft-ms=0",
      "--tokens-per-second=1000000",
      "--prefill-tokens-per-second=10000000",
      ...flags,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await exited;
  };
  try {
    const url = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the simulator exited with ${child.exitCode}:\n${output}`);
        return /listening on (\S+)/.exec(output)?.[1];
      },
      { timeoutMs: 15_000, what: "the inference simulator to listen" },
    );
    return { url, stop };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}
