import { z } from "zod";

const serviceUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional();

/** Where the internal services are; each defaults to localhost on its fixed port, as the stack runs them. */
export const upstreamEnvironment = z.object({
  ORCHESTRATOR_URL: serviceUrl,
  FEATURE_DEV_URL: serviceUrl,
  CODE_REVIEW_URL: serviceUrl,
  INFRASTRUCTURE_URL: serviceUrl,
  CICD_URL: serviceUrl,
  DOCUMENTATION_URL: serviceUrl,
  /** The gateway's own address as the other services and users reach it (callbacks, links in Linear). */
  MCP_GATEWAY_URL: serviceUrl,
});
