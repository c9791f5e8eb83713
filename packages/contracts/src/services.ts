import type { AgentType } from "./agent-type.ts";

export type ServiceName = "gateway" | "orchestrator" | AgentType;

/** The seven services, their fixed ports, and the variable other services use to reach each. */
export const SERVICES: Record<ServiceName, { port: number; urlVariable: string }> = {
  gateway: { port: 8000, urlVariable: "MCP_GATEWAY_URL" },
  orchestrator: { port: 8001, urlVariable: "ORCHESTRATOR_URL" },
  "feature-dev": { port: 8002, urlVariable: "FEATURE_DEV_URL" },
  "code-review": { port: 8003, urlVariable: "CODE_REVIEW_URL" },
  infrastructure: { port: 8004, urlVariable: "INFRASTRUCTURE_URL" },
  cicd: { port: 8005, urlVariable: "CICD_URL" },
  documentation: { port: 8006, urlVariable: "DOCUMENTATION_URL" },
};

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
