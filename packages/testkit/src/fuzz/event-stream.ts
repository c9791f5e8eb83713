import { Problem } from "@devtools/contracts/problem";
import { SseParser } from "@devtools/contracts/server-sent-events";
import type { Exchange } from "./http-exchange.ts";

/**
 * For endpoints that answer 200 with an event stream and report failures inside it (an agent's
 * `POST /execute/stream`): the stream must end with `result`, or with `error` carrying a 4xx
 * problem document, never a 5xx one.
 */
export function streamEndsWell(exchange: Exchange): string | undefined {
  if (!(exchange.headers["content-type"] ?? "").startsWith("text/event-stream")) return undefined;
  const events = new SseParser().push(`${exchange.body}\n\n`);
  const last = events.at(-1);
  if (last?.event === "result") return undefined;
  if (last?.event !== "error") return `the event stream ended with ${last ? `a ${last.event} event` : "no event"}`;
  let problem: ReturnType<typeof Problem.safeParse>;
  try {
    problem = Problem.safeParse(JSON.parse(last.data));
  } catch {
    return `the error event is not JSON: ${last.data}`;
  }
  if (!problem.success) return `the error event is not a problem document: ${last.data}`;
  return problem.data.status < 500 ? undefined : `the stream ended in a ${problem.data.status} error: ${last.data}`;
}
