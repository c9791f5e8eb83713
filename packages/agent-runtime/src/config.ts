import type { AgentType } from "@devtools/contracts/agent-type";
import { SERVICES } from "@devtools/contracts/services";
import { inferenceEnvironment } from "@devtools/inference/config";
import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { z } from "zod";

export const agentEnvironment = serviceEnvironment.extend(inferenceEnvironment.shape).extend({
  /** How long a finished execution answers repeats of its idempotency key. */
  IDEMPOTENCY_TTL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60 * 60 * 1000),
  /** Most finished executions kept for replay; the least recently used go first. */
  IDEMPOTENCY_MAX_ENTRIES: z.coerce.number().int().positive().default(1_000),
});

export type AgentConfig = z.infer<typeof agentEnvironment>;

/**
 * An agent's environment, parsed once: the service's variables (PORT defaulting to the agent's
 * fixed port), the inference variables (all optional here: without a backend the agent starts and
 * says so) and the idempotency store's bounds.
 * @throws ConfigError naming each bad variable.
 */
export function loadAgentConfig(type: AgentType, env: Record<string, string | undefined>): AgentConfig {
  const schema = agentEnvironment.extend({ PORT: serviceEnvironment.shape.PORT.default(SERVICES[type].port) });
  return parseEnvironment(schema, env);
}
