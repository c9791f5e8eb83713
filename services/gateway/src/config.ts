import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { z } from "zod";

const gatewayEnvironment = serviceEnvironment.extend({
  PORT: serviceEnvironment.shape.PORT.default(8000),
  ORCHESTRATOR_URL: z.url().default("http://localhost:8001"),
});

export type GatewayConfig = z.infer<typeof gatewayEnvironment>;

export function loadConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseEnvironment(gatewayEnvironment, env);
}
