import type { Subtask, SubtaskStatus } from "@devtools/contracts/task";
import { isFinalTaskEvent } from "@devtools/contracts/task-events";
import type { OrchestratorClient } from "../../upstream/orchestrator-client.ts";

export type ProgressReporter = (progress: number, total: number, message: string) => Promise<void>;

const FINAL_SUBTASK: ReadonlySet<string> = new Set<SubtaskStatus>(["succeeded", "failed", "skipped", "cancelled"]);
const RECONNECT_DELAY_MS = 250;

/**
 * Follows a task on the orchestrator's event stream and reports subtasks done/total each time that
 * count grows (progress must only increase), until the task's final event, or `signal` aborts (the
 * wait limit, or the client gave up). A stream cut short (an orchestrator restarting) is reopened
 * after the last event seen, so nothing is counted twice. Resolves whether the task ended.
 */
export async function followTask(
  orchestrator: OrchestratorClient,
  taskId: string,
  subtasks: readonly Pick<Subtask, "id" | "agent_type" | "status">[],
  report: ProgressReporter,
  signal: AbortSignal,
): Promise<boolean> {
  const statuses = new Map(subtasks.map((subtask) => [subtask.id, subtask.status as string]));
  const agentOf = new Map(subtasks.map((subtask) => [subtask.id, subtask.agent_type]));
  const done = () => [...statuses.values()].filter((status) => FINAL_SUBTASK.has(status)).length;
  let reported = done();
  await report(reported, subtasks.length, `planned ${subtasks.length} subtask(s)`);
  let after = 0;
  while (!signal.aborted) {
    try {
      const stream = await orchestrator.taskEvents(taskId, after, signal);
      if (stream.kind === "refused") return false;
      for await (const event of stream.events) {
        after = event.id;
        if (event.type === "task.retrying" && Array.isArray(event.data.subtasks)) {
          for (const id of event.data.subtasks) statuses.set(String(id), "pending");
        } else if (event.subtask_id && event.type.startsWith("subtask.")) {
          statuses.set(event.subtask_id, event.type.slice("subtask.".length));
          const now = done();
          if (now > reported) {
            reported = now;
            const agent = agentOf.get(event.subtask_id) ?? "a subtask";
            await report(
              now,
              subtasks.length,
              `${agent} ${event.type.slice("subtask.".length)} (${now}/${subtasks.length})`,
            );
          }
        }
        if (isFinalTaskEvent(event.type)) return true;
      }
    } catch (error) {
      if (signal.aborted) break;
      if (!(error instanceof Error)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
  }
  return false;
}
