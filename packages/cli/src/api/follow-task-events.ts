import { setTimeout as sleep } from "node:timers/promises";
import { SseParser } from "@devtools/contracts/server-sent-events";
import { isFinalTaskEvent, TaskEvent } from "@devtools/contracts/task-events";
import { ApiError, StackUnreachableError, UnexpectedAnswerError } from "./errors.ts";
import type { TaskApi } from "./task-api.ts";

export interface FollowOptions {
  signal: AbortSignal;
  /** Called before each reconnection, with why the stream broke and the event it resumes after. */
  onReconnect?: (reason: string, lastEventId: number) => void;
  /** Reconnections in a row without a single event before giving up. */
  maxReconnects?: number;
  /** First pause before reconnecting, in ms; doubles each time, up to 5 s. */
  reconnectDelayMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 5_000;

/** Whether a broken stream is worth reconnecting: the network or the server's side, not the request. */
const isTransient = (error: unknown) =>
  error instanceof StackUnreachableError || (error instanceof ApiError && error.status >= 500);

/**
 * Yields a task's events in order, from the first, until its final event (task.succeeded, failed,
 * partial or cancelled). When the stream breaks it reconnects with Last-Event-ID, so no event is
 * lost or repeated; it gives up after `maxReconnects` failures in a row, rethrowing the last.
 */
export async function* followTaskEvents(
  api: TaskApi,
  taskId: string,
  { signal, onReconnect, maxReconnects = 8, reconnectDelayMs = 250 }: FollowOptions,
): AsyncGenerator<TaskEvent> {
  let lastEventId = 0;
  let failures = 0;
  for (;;) {
    let reason: string;
    let failure: unknown;
    try {
      const answer = await api.openEvents(taskId, lastEventId, signal);
      const parser = new SseParser();
      for await (const chunk of answer.body) {
        for (const message of parser.push(chunk as Buffer)) {
          const event = parseEvent(message.data);
          lastEventId = event.id;
          failures = 0;
          yield event;
          if (isFinalTaskEvent(event.type)) {
            answer.body.destroy();
            return;
          }
        }
      }
      reason = "the event stream ended before the task did";
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const unreachable = api.http.unreachable(error);
      if (!isTransient(unreachable ?? error)) throw error;
      failure = unreachable ?? error;
      reason = (failure as Error).message;
    }
    failures += 1;
    if (failures > maxReconnects) {
      throw failure ?? new UnexpectedAnswerError(`gave up following task ${taskId}: ${reason}`);
    }
    onReconnect?.(reason, lastEventId);
    await sleep(Math.min(reconnectDelayMs * 2 ** (failures - 1), MAX_RECONNECT_DELAY_MS), undefined, { signal });
  }
}

function parseEvent(data: string): TaskEvent {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (error) {
    throw new UnexpectedAnswerError(`the task's event stream sent an event that is not JSON: ${data.slice(0, 100)}`, {
      cause: error,
    });
  }
  const parsed = TaskEvent.safeParse(json);
  if (!parsed.success) {
    throw new UnexpectedAnswerError(
      `the task's event stream sent an event outside its contract: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}
