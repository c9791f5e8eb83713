import { Problem } from "@devtools/contracts/problem";
import { TaskIdParams } from "@devtools/contracts/task";
import { isFinalTaskEvent, TaskEventsQuery } from "@devtools/contracts/task-events";
import type { Database } from "@devtools/db/client";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { readTaskEventState, readTaskEvents, type TaskEventNotifier } from "../../execution/events.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const route = createRoute({
  method: "get",
  path: "/tasks/{id}/events",
  tags: ["tasks"],
  summary: "A task's events as server-sent events: the stored ones, then live ones until it ends",
  description:
    "Each event is sent with `id:` (its id), `event:` (its type: task.running, subtask.succeeded…) and `data:` (the TaskEvent as JSON). The stream starts after `Last-Event-ID` (or `?after=`), so a client that reconnects misses nothing and sees nothing twice, and ends after the task's final event (task.succeeded, task.failed, task.partial or task.cancelled).",
  request: {
    params: TaskIdParams,
    query: TaskEventsQuery,
    headers: z.object({
      "last-event-id": z
        .string()
        .regex(/^\d+$/, "must be the id of an event this stream sent")
        .optional()
        .meta({ description: "Resume after this event; browsers' EventSource sends it on reconnection." }),
    }),
  },
  responses: {
    200: {
      description: "An event stream of TaskEvent documents",
      content: { "text/event-stream": { schema: z.string() } },
    },
    400: problem("The id, `after` or Last-Event-ID is malformed"),
    404: problem("No such task"),
  },
});

export interface TaskEventsDependencies {
  database: Database;
  notifier: TaskEventNotifier;
  /** How often to look for events other replicas wrote. */
  pollMs: number;
  /** Aborted when the service shuts down: open streams end so the server can close. */
  closing: AbortSignal | undefined;
}

const PAGE = 200;
// A comment line now and then keeps proxies from closing a quiet stream.
const KEEP_ALIVE_MS = 15_000;

export function taskEventsRoute({ database, notifier, pollMs, closing }: TaskEventsDependencies) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const lastEventId = c.req.valid("header")["last-event-id"];
    const start = lastEventId !== undefined ? Number(lastEventId) : (c.req.valid("query").after ?? 0);
    const initial = await readTaskEventState(database.query, id);
    if (!initial) throw new HttpError("not_found", `no task with id ${id}`);
    const logger = c.get("logger");
    // A Response, declared as an event stream above; Hono's typing follows only c.json bodies.
    return streamSSE(c, async (stream) => {
      let cursor = start;
      let state: typeof initial | undefined = initial;
      let signalled = false;
      let wake = () => {};
      const signal = () => {
        signalled = true;
        wake();
      };
      const unsubscribe = notifier.subscribe(id, signal);
      stream.onAbort(signal);
      closing?.addEventListener("abort", signal);
      let lastWrite = Date.now();
      try {
        while (!stream.aborted && !closing?.aborted) {
          signalled = false;
          state ??= await readTaskEventState(database.query, id);
          if (!state) return;
          if (state.lastEventId > cursor) {
            for (const event of await readTaskEvents(database.query, id, cursor, PAGE)) {
              await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event) });
              cursor = event.id;
            }
            lastWrite = Date.now();
            state = undefined;
            continue;
          }
          // Both read in one snapshot: the task ended, its final event is its last, and it has been sent.
          if (state.finished && state.lastEventType && isFinalTaskEvent(state.lastEventType)) return;
          state = undefined;
          await new Promise<void>((resolve) => {
            if (signalled) return resolve();
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = () => {};
          if (Date.now() - lastWrite >= KEEP_ALIVE_MS) {
            await stream.write(": keep-alive\n\n");
            lastWrite = Date.now();
          }
        }
      } catch (error) {
        logger.error({ err: error, task_id: id }, "task event stream failed");
      } finally {
        unsubscribe();
        closing?.removeEventListener("abort", signal);
      }
    }) as never;
  });
}
