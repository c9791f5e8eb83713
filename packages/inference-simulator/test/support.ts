import OpenAI from "openai";
import { afterEach } from "vitest";
import { type RunningSimulator, type SimulatorInput, startSimulator } from "../src/server.ts";

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

/** Starts a simulator on 127.0.0.1:<ephemeral>, closed after the test. */
export async function start(options: SimulatorInput = {}): Promise<RunningSimulator> {
  const simulator = await startSimulator({ host: "127.0.0.1", port: 0, ...options });
  running.push(simulator);
  return simulator;
}

/** The official client, without retries so that every failure is seen as it happened. */
export function clientFor(simulator: RunningSimulator, options: { apiKey?: string; timeout?: number } = {}): OpenAI {
  return new OpenAI({
    baseURL: simulator.url,
    apiKey: options.apiKey ?? "not-needed",
    maxRetries: 0,
    timeout: options.timeout ?? 20_000,
  });
}

/** The server's root (without /v1), for non-OpenAI routes. */
export const rootOf = (simulator: RunningSimulator) => simulator.url.replace(/\/v1$/, "");

/** POSTs a JSON (or raw string) body and returns status and parsed body. */
export async function post(
  simulator: RunningSimulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${rootOf(simulator)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers };
}

/** Reads one sample from GET /metrics, e.g. metric(text, "vllm:num_requests_running"). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  throw new Error(`metric ${name} ${JSON.stringify(labels)} not found`);
}

export async function scrape(simulator: RunningSimulator): Promise<string> {
  return (await fetch(`${rootOf(simulator)}/metrics`)).text();
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const userMessage = (content: string) => [{ role: "user" as const, content }];
