import { databaseEnvironment } from "@devtools/db/config";
import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import type { z } from "zod";

const orchestratorEnvironment = serviceEnvironment
  .extend({ PORT: serviceEnvironment.shape.PORT.default(8001) })
  .extend(databaseEnvironment.shape);

export type OrchestratorConfig = z.infer<typeof orchestratorEnvironment>;

export function loadConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  return parseEnvironment(orchestratorEnvironment, env);
}
