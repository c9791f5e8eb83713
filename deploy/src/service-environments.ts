import { agentEnvironment } from "@devtools/agent-runtime/config";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import { SERVICES, type ServiceName } from "@devtools/contracts/services";
import { gatewayEnvironment } from "@devtools/gateway/config";
import { SIMULATOR_VARIABLES } from "@devtools/inference-simulator/cli";
import { DEFAULT_PORT as SIMULATOR_PORT } from "@devtools/inference-simulator/options";
import { orchestratorEnvironment } from "@devtools/orchestrator/config";

/** What a deployable process is: the seven services and the inference simulator. */
export type Deployable = ServiceName | "inference-simulator";

/**
 * Every environment variable each deployable reads, taken from the services' own zod schemas, so
 * that a variable named in a deployment file that no service reads (or a misspelt one) is caught.
 */
export const SERVICE_VARIABLES: Record<Deployable, ReadonlySet<string>> = {
  gateway: new Set(Object.keys(gatewayEnvironment.shape)),
  orchestrator: new Set(Object.keys(orchestratorEnvironment.shape)),
  ...(Object.fromEntries(AGENT_TYPES.map((agent) => [agent, new Set(Object.keys(agentEnvironment.shape))])) as Record<
    AgentType,
    Set<string>
  >),
  "inference-simulator": new Set(SIMULATOR_VARIABLES),
};

/** Each deployable's listening port. */
export const SERVICE_PORTS: Record<Deployable, number> = {
  ...(Object.fromEntries(Object.entries(SERVICES).map(([name, { port }]) => [name, port])) as Record<
    ServiceName,
    number
  >),
  "inference-simulator": SIMULATOR_PORT,
};
