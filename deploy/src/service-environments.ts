import { agentEnvironment } from "@devtools/agent-runtime/config";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { gatewayEnvironment } from "@devtools/gateway/config";
import { SIMULATOR_VARIABLES } from "@devtools/inference-simulator/cli";
import { DEFAULT_PORT as SIMULATOR_PORT } from "@devtools/inference-simulator/options";
import { orchestratorEnvironment } from "@devtools/orchestrator/config";
import type { z } from "zod";

/** What a deployable process is: the seven services and the inference simulator. */
export type Deployable = ServiceName | "inference-simulator";

/** Each service's own environment schema, to parse what a deployment file gives it as the service would. */
export const SERVICE_SCHEMAS: Record<ServiceName, z.ZodObject> = {
  gateway: gatewayEnvironment,
  orchestrator: orchestratorEnvironment,
  "feature-dev": agentEnvironment,
  "code-review": agentEnvironment,
  infrastructure: agentEnvironment,
  cicd: agentEnvironment,
  documentation: agentEnvironment,
};

/** Parses an environment as service-kit's parseEnvironment does: empty strings count as unset. */
export function parseServiceEnvironment(service: ServiceName, values: Record<string, string>) {
  const present = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
  return SERVICE_SCHEMAS[service].safeParse(present);
}

/**
 * Every environment variable each deployable reads, taken from the services' own zod schemas, so
 * that a variable named in a deployment file that no service reads (or a misspelt one) is caught.
 */
export const SERVICE_VARIABLES: Record<Deployable, ReadonlySet<string>> = {
  ...(Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, new Set(Object.keys(SERVICE_SCHEMAS[name].shape))]),
  ) as Record<ServiceName, Set<string>>),
  "inference-simulator": new Set(SIMULATOR_VARIABLES),
};

/** Each deployable's listening port. */
export const SERVICE_PORTS: Record<Deployable, number> = {
  ...(Object.fromEntries(SERVICE_NAMES.map((name) => [name, SERVICES[name].port])) as Record<ServiceName, number>),
  "inference-simulator": SIMULATOR_PORT,
};
