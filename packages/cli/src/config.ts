import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { z } from "zod";
import { UsageError } from "./cli/exit-codes.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const optional = <T extends z.ZodType>(schema: T) =>
  // An empty variable (`FOO= devtools …`) means unset, as the services read it.
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const serviceUrlVariables = Object.fromEntries(
  SERVICE_NAMES.map((name) => [SERVICES[name].urlVariable, optional(httpUrl)]),
) as Record<string, ReturnType<typeof optional<typeof httpUrl>>>;

const CliEnvironmentSchema = z.object({
  ...serviceUrlVariables,
  DEVTOOLS_URL: optional(httpUrl),
  DEVTOOLS_API_KEY: optional(z.string().trim().min(1)),
  INTERNAL_TOKEN: optional(z.string().min(1)),
});

/** Where the CLI finds the stack, as the environment says. */
export interface CliEnvironment {
  /** The gateway: DEVTOOLS_URL, else MCP_GATEWAY_URL, else localhost:8000. */
  gatewayUrl: string;
  /** ORCHESTRATOR_URL when set: the task commands then talk to the orchestrator directly. */
  orchestratorUrl: string | undefined;
  /** Every service's URL (its *_URL variable, else localhost on its port), for `health`. */
  serviceUrls: Record<ServiceName, string>;
  /** Sent as `Authorization: Bearer` to the gateway. */
  apiKey: string | undefined;
  /** Sent as `Authorization: Bearer` when talking to the orchestrator directly, which requires it when set. */
  internalToken: string | undefined;
}

const origin = (url: string) => url.replace(/\/+$/, "");

/** Reads the CLI's variables once; a malformed one is a usage error naming it. */
export function readEnvironment(env: Record<string, string | undefined>): CliEnvironment {
  const parsed = CliEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new UsageError(`bad environment: ${problems.join("; ")}`);
  }
  const values = parsed.data as Record<string, string | undefined>;
  const serviceUrls = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const { urlVariable, port } = SERVICES[name];
      return [name, origin(values[urlVariable] ?? `http://localhost:${port}`)];
    }),
  ) as Record<ServiceName, string>;
  const gatewayUrl = origin(values.DEVTOOLS_URL ?? serviceUrls.gateway);
  serviceUrls.gateway = gatewayUrl;
  return {
    gatewayUrl,
    orchestratorUrl: values.ORCHESTRATOR_URL ? origin(values.ORCHESTRATOR_URL) : undefined,
    serviceUrls,
    apiKey: values.DEVTOOLS_API_KEY,
    internalToken: values.INTERNAL_TOKEN,
  };
}
