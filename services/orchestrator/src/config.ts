import { databaseEnvironment } from "@devtools/db/config";
import { inferenceEnvironment } from "@devtools/inference/config";
import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { z } from "zod";

const orchestratorEnvironment = serviceEnvironment
  .extend({
    PORT: serviceEnvironment.shape.PORT.default(8001),
    /** How long POST /orchestrate waits for the model planner before the rules plan instead. */
    PLANNER_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  })
  .extend(databaseEnvironment.shape)
  .extend(inferenceEnvironment.shape);

export type OrchestratorConfig = z.infer<typeof orchestratorEnvironment>;

export function loadConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  return parseEnvironment(orchestratorEnvironment, env);
}
