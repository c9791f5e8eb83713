import { Capabilities, ExecuteRequest, ExecuteResult } from "@devtools/contracts/agent";
import type { AgentType } from "@devtools/contracts/agent-type";
import { jsonSchemaOf } from "@devtools/contracts/json-schema";
import { createServiceApp } from "@devtools/service-kit/app";
import type { Logger } from "@devtools/service-kit/logger";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";

/** What makes one specialist differ from another; the runtime does the rest. */
export interface AgentDefinition {
  type: AgentType;
  /** One sentence on what the agent produces. */
  description: string;
  skills: readonly string[];
}

const capabilitiesRoute = createRoute({
  method: "get",
  path: "/capabilities",
  tags: ["agent"],
  summary: "What this agent does, with the JSON schemas of its input and output",
  responses: {
    200: { description: "The agent's capabilities", content: { "application/json": { schema: Capabilities } } },
  },
});

export function createAgentApp(definition: AgentDefinition, { logger, version }: { logger: Logger; version: string }) {
  // Derived once from the contracts, so the schemas an agent advertises are the ones it validates.
  const capabilities: Capabilities = {
    name: definition.type,
    version,
    description: definition.description,
    skills: [...definition.skills],
    input_schema: jsonSchemaOf(ExecuteRequest, "input"),
    output_schema: jsonSchemaOf(ExecuteResult),
  };
  const app = createServiceApp({ name: definition.type, version, description: definition.description, logger });
  return app.route(
    "/",
    new OpenAPIHono().openapi(capabilitiesRoute, (c) => c.json(capabilities, 200)),
  );
}
