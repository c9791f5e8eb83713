import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import { SERVICES } from "@devtools/contracts/services";
import { databaseEnvironment } from "@devtools/db/config";
import { inferenceEnvironment } from "@devtools/inference/config";
import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { z } from "zod";

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const agentUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional();

export const orchestratorEnvironment = serviceEnvironment
  .extend({
    PORT: serviceEnvironment.shape.PORT.default(8001),
    /** How long POST /orchestrate waits for the model planner before the rules plan instead. */
    PLANNER_TIMEOUT_MS: milliseconds(30_000),
    /** The agents; each defaults to localhost on its fixed port, as the stack runs them. */
    FEATURE_DEV_URL: agentUrl,
    CODE_REVIEW_URL: agentUrl,
    INFRASTRUCTURE_URL: agentUrl,
    CICD_URL: agentUrl,
    DOCUMENTATION_URL: agentUrl,
    /** Subtasks this replica dispatches at once; 0 makes a replica that plans and serves but runs nothing. */
    EXECUTION_CONCURRENCY: z.coerce.number().int().min(0).max(10_000).default(32),
    /** Subtasks this replica dispatches at once to one agent type. */
    AGENT_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(8),
    /** How often the engine looks for work nobody woke it for (expired leases, other replicas' tasks). */
    EXECUTION_POLL_MS: milliseconds(500),
    /** How long a dispatched subtask stays ours without renewal (renewed every third of it). */
    LEASE_MS: z.coerce.number().int().min(300).default(30_000),
    /** Dispatches per subtask and generation before a transient failure becomes final. */
    SUBTASK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /** Backoff ceiling after the first transient failure; doubles per attempt, full jitter. */
    SUBTASK_RETRY_BASE_MS: milliseconds(500),
    /** The longest wait between attempts, Retry-After included. */
    SUBTASK_RETRY_MAX_MS: milliseconds(30_000),
    /** A dispatch taking longer is aborted and retried. */
    SUBTASK_TIMEOUT_MS: milliseconds(10 * 60_000),
    /** How often an event stream looks for events written by other replicas. */
    TASK_EVENTS_POLL_MS: milliseconds(500),
    /** Signs task-ended callbacks (HMAC-SHA256); without it `callback_url` is refused. */
    CALLBACK_SIGNING_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    /** Tries per callback before it is abandoned. */
    CALLBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    /** Backoff ceiling after a callback's first failure; doubles per attempt, full jitter. */
    CALLBACK_RETRY_BASE_MS: milliseconds(1_000),
    /** The longest wait between a callback's attempts, Retry-After included. */
    CALLBACK_RETRY_MAX_MS: milliseconds(10 * 60_000),
    /** A callback receiver taking longer fails the attempt. */
    CALLBACK_TIMEOUT_MS: milliseconds(10_000),
  })
  .extend(databaseEnvironment.shape)
  .extend(inferenceEnvironment.shape);

export type OrchestratorConfig = z.infer<typeof orchestratorEnvironment>;

export function loadConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  return parseEnvironment(orchestratorEnvironment, env);
}

const URL_VARIABLE = {
  "feature-dev": "FEATURE_DEV_URL",
  "code-review": "CODE_REVIEW_URL",
  infrastructure: "INFRASTRUCTURE_URL",
  cicd: "CICD_URL",
  documentation: "DOCUMENTATION_URL",
} as const satisfies Record<AgentType, keyof OrchestratorConfig>;

/** Each agent's base URL: its variable, else localhost on its fixed port. */
export function agentUrlsFrom(config: OrchestratorConfig): Record<AgentType, string> {
  return Object.fromEntries(
    AGENT_TYPES.map((agentType) => [
      agentType,
      config[URL_VARIABLE[agentType]] ?? `http://localhost:${SERVICES[agentType].port}`,
    ]),
  ) as Record<AgentType, string>;
}
