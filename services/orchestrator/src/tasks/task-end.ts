import type { Task } from "@devtools/contracts/task";
import type { Database } from "@devtools/db/client";
import type { TaskEventNotifier } from "../execution/events.ts";
import { findTask } from "./task-store.ts";

const FINISHED = "select finished_at is not null as finished from tasks where id = $1";

export interface TaskEndDependencies {
  database: Database;
  notifier: TaskEventNotifier;
  /** How often to look for an end written by another replica, which no local event announces. */
  pollMs: number;
}

/**
 * Waits until the task has ended, for at most `timeoutMs`, and answers its view; undefined on
 * timeout or when `signal` aborts (the task runs on either way). Woken by this replica's commits
 * that may end the task, and by a poll for the ends other replicas write; each wake reads one row.
 */
export async function awaitTaskEnd(
  { database, notifier, pollMs }: TaskEndDependencies,
  taskId: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Task | undefined> {
  const ended = await new Promise<boolean>((resolve) => {
    let settled = false;
    let checking = false;
    let again = false;
    const finish = (value: boolean) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      clearInterval(poll);
      signal.removeEventListener("abort", aborted);
      resolve(value);
    };
    const check = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const [row] = await database.query<{ finished: boolean }>(FINISHED, [taskId]);
          if (row?.finished) finish(true);
        } while (again && !settled);
      } catch {
        // The next wake or poll reads again; the timeout still bounds the wait.
      } finally {
        checking = false;
      }
    };
    const aborted = () => finish(false);
    // Only a commit that may have ended the task is worth a read.
    const unsubscribe = notifier.subscribe(taskId, (ended) => {
      if (ended) void check();
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const poll = setInterval(() => void check(), pollMs);
    signal.addEventListener("abort", aborted, { once: true });
    if (signal.aborted) finish(false);
    // It may have ended before we subscribed.
    else void check();
  });
  return ended && !signal.aborted ? findTask(database.db, taskId) : undefined;
}

/**
 * The seconds of an RFC 7240 `Prefer: wait=<seconds>` (several preferences may share the header,
 * comma-separated, with `;` parameters), capped at `max`; undefined when absent, zero or malformed.
 */
export function preferredWait(header: string, max: number): number | undefined {
  for (const preference of header.split(",")) {
    const match = /^\s*wait\s*=\s*(?:"(\d{1,9})"|(\d{1,9}))\s*(?:;.*)?$/i.exec(preference);
    if (!match) continue;
    const seconds = Number(match[1] ?? match[2]);
    return seconds > 0 ? Math.min(seconds, max) : undefined;
  }
  return undefined;
}
