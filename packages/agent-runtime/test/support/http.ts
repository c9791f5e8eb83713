import { randomUUID } from "node:crypto";
import type { ExecuteRequest } from "@devtools/contracts/agent";

/** A valid execute request body; `overrides` replace fields (or add unknown ones, for the error cases). */
export function executeBody(
  overrides: Partial<ExecuteRequest> & Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    subtask_id: randomUUID(),
    task_id: randomUUID(),
    description: "Containerize the service with a Dockerfile",
    idempotency_key: randomUUID(),
    ...overrides,
  };
}

/** POSTs `body` as JSON to `url` + `path`. */
export function post(url: string, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...init,
  });
}

/** One server-sent event: its name and its data, parsed as JSON. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** Reads an event stream to its end. */
export async function readEvents(response: Response): Promise<ServerSentEvent[]> {
  const text = await response.text();
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event =
        lines
          .find((line) => line.startsWith("event:"))
          ?.slice("event:".length)
          .trim() ?? "message";
      const data = lines
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice("data:".length).replace(/^ /, ""))
        .join("\n");
      return { event, data: JSON.parse(data) as unknown };
    });
}

/**
 * The value of one series in a Prometheus text exposition (`name{labels} value`), 0 when absent.
 * Only the given labels must match.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

/** GET `url`/metrics and read one series. */
export async function scrape(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = url.replace(/\/v1$/, "");
  return metricValue(await (await fetch(`${base}/metrics`)).text(), name, labels);
}
