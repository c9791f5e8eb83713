import { SERVICES, type ServiceName } from "@devtools/contracts/services";
import type { Deployable } from "../service-environments.ts";
import type { ComposeModel, ComposeService } from "./model.ts";

/** Read by Node or the container runtime rather than a service's schema; allowed in any service. */
export const CONTAINER_VARIABLES: ReadonlySet<string> = new Set(["NODE_ENV", "NODE_OPTIONS", "TZ"]);

/** The variable a deployable's listening port comes from. */
export const PORT_VARIABLE: Record<Deployable, string> = {
  ...(Object.fromEntries(Object.keys(SERVICES).map((name) => [name, "PORT"])) as Record<ServiceName, string>),
  "inference-simulator": "SIMULATOR_PORT",
};

/** Variables holding a service's base URL, and the service each names (MCP_GATEWAY_URL → gateway…). */
const URL_TARGET = new Map<string, ServiceName>(
  Object.entries(SERVICES).map(([name, { urlVariable }]) => [urlVariable, name as ServiceName]),
);

const INFERENCE_URL_VARIABLES = ["INFERENCE_BASE_URL"];

export const isDeployable = (name: string, ports: Record<Deployable, number>): name is Deployable => name in ports;

/** The healthcheck's URL: the one http(s) address in its command. */
export function healthcheckUrl(service: ComposeService): URL | undefined {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(" ") : (test ?? "");
  const match = /https?:\/\/[^'"\s)]+/.exec(text);
  return match ? new URL(match[0]) : undefined;
}

/** The port vLLM serves on: its `--port` argument. */
function vllmPort(model: ComposeModel): number | undefined {
  const command = model.services.vllm?.command ?? [];
  const index = command.indexOf("--port");
  return index === -1 ? undefined : Number(command[index + 1]);
}

/**
 * Where the ports in the compose model disagree with `ports` (the code's): a service's PORT, its
 * healthcheck, and every URL variable of every service that names it.
 */
export function portProblems(model: ComposeModel, ports: Record<Deployable, number>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    const environment = service.environment ?? {};
    if (isDeployable(name, ports)) {
      const variable = PORT_VARIABLE[name];
      if (environment[variable] !== String(ports[name])) {
        problems.push(`${name}: ${variable}=${environment[variable]} but the code says ${ports[name]}`);
      }
      const probe = healthcheckUrl(service);
      if (!probe) problems.push(`${name}: no healthcheck URL`);
      else if (Number(probe.port) !== ports[name]) {
        problems.push(`${name}: healthcheck probes port ${probe.port}, the service listens on ${ports[name]}`);
      }
    }
    for (const [variable, value] of Object.entries(environment)) {
      const target = URL_TARGET.get(variable);
      if (target && value) {
        const url = new URL(value);
        if (url.hostname !== target || Number(url.port) !== ports[target]) {
          problems.push(`${name}: ${variable}=${value} should be http://${target}:${ports[target]}`);
        }
      }
      if (INFERENCE_URL_VARIABLES.includes(variable) && value) {
        const url = new URL(value);
        const expected =
          url.hostname === "inference-simulator"
            ? ports["inference-simulator"]
            : url.hostname === "vllm"
              ? vllmPort(model)
              : undefined;
        if (expected === undefined) problems.push(`${name}: ${variable}=${value} names no inference service`);
        else if (Number(url.port) !== expected) {
          problems.push(`${name}: ${variable}=${value} but ${url.hostname} listens on ${expected}`);
        }
      }
    }
  }
  return problems;
}

/** Variables given to a deployable that its own schema does not read (a typo, or a dead setting). */
export function variableProblems(model: ComposeModel, variables: Record<Deployable, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    if (!(name in variables)) continue;
    const reads = variables[name as Deployable];
    for (const variable of Object.keys(service.environment ?? {})) {
      if (!reads.has(variable) && !CONTAINER_VARIABLES.has(variable)) {
        problems.push(`${name}: ${variable} is not a variable ${name} reads`);
      }
    }
  }
  return problems;
}
