import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import { SERVICES } from "@devtools/contracts/services";
import { Task } from "@devtools/contracts/task";
import type { TestDatabase } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { type ServiceProcess, startService } from "@devtools/testkit/process";

/** The five agents as real processes, all on one inference backend. */
export async function startAgents(
  inferenceUrl: string,
  env: Record<string, string> = {},
): Promise<Record<AgentType, ServiceProcess>> {
  const started = await Promise.all(
    AGENT_TYPES.map((agentType) => startService(agentType, { INFERENCE_BASE_URL: inferenceUrl, ...env })),
  );
  return Object.fromEntries(AGENT_TYPES.map((agentType, index) => [agentType, started[index]])) as Record<
    AgentType,
    ServiceProcess
  >;
}

/** The environment that points an orchestrator at these agent URLs. */
export const agentUrls = (urls: Partial<Record<AgentType, string>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(urls).map(([agentType, url]) => [SERVICES[agentType as AgentType].urlVariable, url as string]),
  );

/** An orchestrator process on `database`, with short leases and polls so that tests take seconds. */
export function startOrchestrator(database: TestDatabase, env: Record<string, string>): Promise<ServiceProcess> {
  return startService("orchestrator", {
    ...database.env,
    LEASE_MS: "2000",
    EXECUTION_POLL_MS: "100",
    TASK_EVENTS_POLL_MS: "100",
    SUBTASK_RETRY_BASE_MS: "100",
    SUBTASK_RETRY_MAX_MS: "500",
    ...env,
  });
}

export async function orchestrate(orchestrator: ServiceProcess, description: string): Promise<Task> {
  const response = await fetch(`${orchestrator.url}/orchestrate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description, planner: "rules" }),
  });
  if (response.status !== 201)
    throw new Error(`POST /orchestrate answered ${response.status}: ${await response.text()}`);
  return Task.parse(await response.json());
}

export async function readTask(orchestrator: ServiceProcess, taskId: string): Promise<Task> {
  const response = await fetch(`${orchestrator.url}/tasks/${taskId}`);
  if (!response.ok) throw new Error(`GET /tasks/${taskId} answered ${response.status}`);
  return Task.parse(await response.json());
}

/** Polls the task until it has ended. */
export function finished(orchestrator: ServiceProcess, taskId: string, timeoutMs = 30_000): Promise<Task> {
  return waitFor(
    async () => {
      const task = await readTask(orchestrator, taskId);
      return task.finished_at ? task : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `task ${taskId} to finish` },
  );
}

/** The sum of a metric's series whose labels include `labels`, from a Prometheus text exposition. */
export async function metricSum(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(\{[^}]*\})? ([0-9.e+-]+)$/i.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => present.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** Milliseconds between two ISO timestamps. */
export const between = (from: string | null, to: string | null) => Date.parse(to ?? "") - Date.parse(from ?? "");
