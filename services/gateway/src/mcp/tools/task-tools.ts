import { OrchestrateRequest } from "@devtools/contracts/orchestrate";
import { ListTasksQuery, Task, TaskIdParams, TaskPage } from "@devtools/contracts/task";
import type { OrchestratorClient } from "../../upstream/orchestrator-client.ts";
import { contractTool, type GatewayTool, structuredResult } from "../gateway-tool.ts";
import { followTask } from "./follow-task.ts";
import { upstreamRefusal, upstreamResult } from "./upstream-problem.ts";

const ORCHESTRATOR = "the orchestrator";

/** `orchestrate`, `get_task`, `list_tasks` and `cancel_task`: the orchestrator's task API as tools. */
export function taskTools(orchestrator: OrchestratorClient, options: { waitSeconds: number }): GatewayTool[] {
  const orchestrate = contractTool({
    name: "orchestrate",
    title: "Orchestrate an engineering request",
    description:
      "Plans a plain-language engineering request into subtasks for the specialist agents (feature-dev, code-review, infrastructure, cicd, documentation) and runs them. " +
      `When the call carries a progress token, follows the task with progress notifications (subtasks done/total) until it ends or ${options.waitSeconds} s pass, then answers with the task; without one, answers at once with the plan. ` +
      "Follow a task that is still running with get_task.",
    input: OrchestrateRequest,
    output: Task,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: async (request, context) => {
      const planned = await orchestrator.orchestrate(request, { signal: context.signal });
      if (planned.status !== 201 && planned.status !== 200) return upstreamRefusal(ORCHESTRATOR, planned);
      const progress = context.progress;
      if (!progress || planned.body.finished_at) return structuredResult(planned.body, { json: planned.text });
      const waiting = AbortSignal.any([context.signal, AbortSignal.timeout(options.waitSeconds * 1_000)]);
      const ended = await followTask(orchestrator, planned.body.task_id, planned.body.subtasks, progress, waiting);
      context.signal.throwIfAborted();
      const current = await orchestrator.getTask(planned.body.task_id, context.signal);
      if (current.status !== 200) return upstreamRefusal(ORCHESTRATOR, current);
      const note = ended
        ? undefined
        : `Task ${current.body.task_id} is still ${current.body.status} after ${options.waitSeconds} s; follow it with get_task.`;
      return structuredResult(current.body, { json: current.text, note });
    },
  });

  const getTask = contractTool({
    name: "get_task",
    title: "Get a task",
    description:
      "A task with its status, subtasks (each agent's result once it succeeded), routing plan and token usage.",
    input: TaskIdParams,
    output: Task,
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ id }, context) => {
      const answer = await orchestrator.getTask(id, context.signal);
      return upstreamResult(ORCHESTRATOR, answer);
    },
  });

  const listTasks = contractTool({
    name: "list_tasks",
    title: "List tasks",
    description:
      "Tasks, newest first, optionally of one status; pass `next_cursor` back as `cursor` for the next page.",
    input: ListTasksQuery,
    output: TaskPage,
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (query, context) => {
      const answer = await orchestrator.listTasks(query, context.signal);
      return upstreamResult(ORCHESTRATOR, answer);
    },
  });

  const cancelTask = contractTool({
    name: "cancel_task",
    title: "Cancel a task",
    description:
      "Cancels a task: its pending and running subtasks become cancelled and nothing more runs; subtasks that succeeded keep their results.",
    input: TaskIdParams,
    output: Task,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    run: async ({ id }, context) => {
      const answer = await orchestrator.cancelTask(id, context.signal);
      return upstreamResult(ORCHESTRATOR, answer);
    },
  });

  return [orchestrate, getTask, listTasks, cancelTask];
}
