import { Capabilities, EXECUTE_RESULTS, ExecuteRequest } from "@devtools/contracts/agent";
import { jsonSchemaOf } from "@devtools/contracts/json-schema";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AgentDefinition } from "../../agent.ts";

const route = createRoute({
  method: "get",
  path: "/capabilities",
  tags: ["agent"],
  summary: "What this agent does, with the JSON schemas of its input and output",
  responses: {
    200: { description: "The agent's capabilities", content: { "application/json": { schema: Capabilities } } },
  },
});

export function capabilitiesRoute(
  definition: Pick<AgentDefinition, "type" | "description" | "skills">,
  version: string,
) {
  // Derived once from the contracts, so the schemas an agent advertises are the ones it validates.
  const capabilities: Capabilities = {
    name: definition.type,
    version,
    description: definition.description,
    skills: [...definition.skills],
    input_schema: jsonSchemaOf(ExecuteRequest, "input"),
    output_schema: jsonSchemaOf(EXECUTE_RESULTS[definition.type]),
  };
  return new OpenAPIHono().openapi(route, (c) => c.json(capabilities, 200));
}
