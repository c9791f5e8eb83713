/// <reference lib="dom" />
import type { TaskEvent } from "@devtools/contracts/task-events";
import { type ApiClient, ApiError } from "./api-client.ts";

const FINAL_EVENTS = new Set(["task.succeeded", "task.failed", "task.partial", "task.cancelled"]);
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

interface RawEvent {
  id: string | undefined;
  data: string;
}

/**
 * Splits a `text/event-stream` buffer into complete events and what remains of the next one. (The
 * server side reads streams with @devtools/contracts/server-sent-events; the page can load only the
 * modules the gateway serves from this folder, so it keeps this small reader of its own.)
 */
function takeEvents(buffer: string): { events: RawEvent[]; rest: string } {
  const events: RawEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
    if (data.length > 0) events.push({ id, data: data.join("\n") });
  }
  return { events, rest };
}

/**
 * Follows a task's event stream through the gateway until it ends with the task's final event.
 * EventSource cannot send the Authorization header, so this reads the stream with fetch, and on a
 * dropped connection reconnects with `Last-Event-ID`, so that no event is missed or seen twice.
 * (A final event followed by more is a task that was retried: the server keeps the stream open.)
 * Resolves when the task ended or `signal` aborted; rejects on a refusal that retrying cannot fix.
 */
export async function followTaskEvents(
  api: ApiClient,
  taskId: string,
  onEvent: (event: TaskEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  let lastEventId: string | undefined;
  let lastType: string | undefined;
  let retryMs = FIRST_RETRY_MS;
  while (!signal.aborted) {
    try {
      const response = await api.fetch(`/api/orchestrator/tasks/${encodeURIComponent(taskId)}/events`, {
        headers: { accept: "text/event-stream", ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
        signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          if (lastType && FINAL_EVENTS.has(lastType)) return;
          break;
        }
        const { events, rest } = takeEvents(buffer + decoder.decode(value, { stream: true }));
        buffer = rest;
        for (const raw of events) {
          const event = JSON.parse(raw.data) as TaskEvent;
          lastEventId = raw.id ?? String(event.id);
          lastType = event.type;
          retryMs = FIRST_RETRY_MS;
          onEvent(event);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      // A 4xx other than a rate limit will not change by asking again (bad id, no key, no task).
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) throw error;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }
}
