import { join } from "node:path";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import type { RunningService, StartOptions } from "@devtools/service-kit/serve";

type Start = (options: StartOptions) => Promise<RunningService>;

// Loaded on demand, so that `npm start -- code-review` does not load the orchestrator's database.
const STARTERS: Record<ServiceName, () => Promise<Start>> = {
  gateway: async () => (await import("@devtools/gateway/start")).start,
  orchestrator: async () => (await import("@devtools/orchestrator/start")).start,
  "feature-dev": async () => (await import("@devtools/feature-dev/start")).start,
  "code-review": async () => (await import("@devtools/code-review/start")).start,
  infrastructure: async () => (await import("@devtools/infrastructure/start")).start,
  cicd: async () => (await import("@devtools/cicd/start")).start,
  documentation: async () => (await import("@devtools/documentation/start")).start,
};

export class UnknownServiceError extends Error {}

/** The services to start: those named, or all seven. */
export function selectServices(names: readonly string[]): ServiceName[] {
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UnknownServiceError(`unknown service ${unknown.join(", ")}; choose from ${SERVICE_NAMES.join(", ")}`);
  }
  return names.length === 0 ? [...SERVICE_NAMES] : SERVICE_NAMES.filter((name) => names.includes(name));
}

/**
 * Each service's URL: its `*_URL` variable when set (so a whole stack can be moved to other ports),
 * else localhost on its fixed port. A service listens on its own URL's port.
 */
export function serviceUrls(env: Record<string, string | undefined>): Record<ServiceName, URL> {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const { port, urlVariable } = SERVICES[name];
      return [name, new URL(env[urlVariable] || `http://localhost:${port}`)];
    }),
  ) as Record<ServiceName, URL>;
}

/** What a service started by the stack sees: the environment, every service's URL, its port and data folder. */
export function environmentFor(
  name: ServiceName,
  env: Record<string, string | undefined>,
  dataRoot: string,
): Record<string, string | undefined> {
  const urls = serviceUrls(env);
  const url = urls[name];
  return {
    ...env,
    ...Object.fromEntries(SERVICE_NAMES.map((other) => [SERVICES[other].urlVariable, urls[other].origin])),
    PORT: url.port || (url.protocol === "https:" ? "443" : "80"),
    DATA_DIR: join(env.DATA_DIR || dataRoot, name),
  };
}

export interface StackOptions {
  names: readonly string[];
  env: Record<string, string | undefined>;
  /** Embedded databases go under `<dataRoot>/<service>` unless DATA_DIR or a server is configured. */
  dataRoot: string;
}

export interface Stack {
  services: { name: ServiceName; url: string; running: RunningService }[];
  stop: () => Promise<void>;
}

/** Starts the named services in this process, each on its own port, talking to each other over HTTP. */
export async function startStack({ names, env, dataRoot }: StackOptions): Promise<Stack> {
  const selected = selectServices(names);
  const urls = serviceUrls(env);
  const services: Stack["services"] = [];
  const stop = async () => {
    await Promise.allSettled(services.map((service) => service.running.shutdown("stack stopping")));
  };
  try {
    // Started one after another: the orchestrator's migrations finish before anything calls it.
    for (const name of selected) {
      const start = await STARTERS[name]();
      const running = await start({ env: environmentFor(name, env, dataRoot), handleSignals: false });
      services.push({ name, url: urls[name].origin, running });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}
