import { databaseEnvironment } from "@devtools/db/config";
import { parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import type { z } from "zod";
import { frontDoorEnvironment } from "./front-door/config.ts";
import { linearEnvironment } from "./linear/config.ts";
import { mcpEnvironment } from "./mcp/config.ts";
import { upstreamEnvironment } from "./upstream/config.ts";

// Each concern declares its own variables beside its code; the gateway reads them all once.
export const gatewayEnvironment = serviceEnvironment
  .extend({ PORT: serviceEnvironment.shape.PORT.default(8000) })
  .extend(upstreamEnvironment.shape)
  .extend(databaseEnvironment.shape)
  .extend(linearEnvironment.shape)
  .extend(mcpEnvironment.shape)
  .extend(frontDoorEnvironment.shape);

export type GatewayConfig = z.infer<typeof gatewayEnvironment>;

export function loadConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseEnvironment(gatewayEnvironment, env);
}
