import { join } from "node:path";
import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import type { RunningSimulator } from "@devtools/inference-simulator/server";
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

/** Whether the environment names an inference backend; without one the stack runs the simulator. */
export const inferenceConfigured = (env: Record<string, string | undefined>) =>
  Boolean(env.INFERENCE_BASE_URL || env.INFERENCE_BACKENDS);

/**
 * The folder of the one embedded database the hosted services share (the orchestrator's and the
 * gateway's tables differ): one PGlite in the process instead of one per service.
 */
export const EMBEDDED_DATABASE_FOLDER = "stack";

const isAgent = (name: ServiceName) => (AGENT_TYPES as readonly string[]).includes(name);

/**
 * What a service started by the stack sees: the environment, every service's URL, its port, the
 * shared data folder, and for the agents the simulator's URL when the stack runs one. The orchestrator is not
 * pointed at the simulator: its model planner needs a model that reasons, and a simulated plan
 * would only ever fall back to the rules.
 */
export function environmentFor(
  name: ServiceName,
  env: Record<string, string | undefined>,
  dataRoot: string,
  simulatorUrl?: string,
): Record<string, string | undefined> {
  const urls = serviceUrls(env);
  const url = urls[name];
  return {
    ...env,
    ...(simulatorUrl && isAgent(name) ? { INFERENCE_BASE_URL: simulatorUrl } : {}),
    ...Object.fromEntries(SERVICE_NAMES.map((other) => [SERVICES[other].urlVariable, urls[other].origin])),
    PORT: url.port || (url.protocol === "https:" ? "443" : "80"),
    DATA_DIR: join(env.DATA_DIR || dataRoot, EMBEDDED_DATABASE_FOLDER),
  };
}

export interface StackOptions {
  names: readonly string[];
  env: Record<string, string | undefined>;
  /** The embedded database goes in `<DATA_DIR or dataRoot>/stack` unless a server is configured. */
  dataRoot: string;
}

export interface Stack {
  services: { name: ServiceName; url: string; running: RunningService }[];
  /** The inference simulator, when agents run and no backend is configured. */
  simulator: RunningSimulator | undefined;
  stop: () => Promise<void>;
}

/**
 * Starts the named services in this process, each on its own port, talking to each other over HTTP;
 * first the inference simulator (SIMULATOR_* variables, port 8010) when agents are among them and
 * no inference backend is configured.
 */
export async function startStack({ names, env, dataRoot }: StackOptions): Promise<Stack> {
  const selected = selectServices(names);
  const urls = serviceUrls(env);
  const services: Stack["services"] = [];
  let simulator: RunningSimulator | undefined;
  const stop = async () => {
    await Promise.allSettled(services.map((service) => service.running.shutdown("stack stopping")));
    await simulator?.close();
  };
  try {
    if (selected.some(isAgent) && !inferenceConfigured(env)) {
      // Loaded only when needed, like the services: `npm start -- orchestrator` does not load it.
      const [{ parseCommandLine }, { startSimulator }] = await Promise.all([
        import("@devtools/inference-simulator/cli"),
        import("@devtools/inference-simulator/server"),
      ]);
      simulator = await startSimulator(parseCommandLine([], env).options);
    }
    // Started one after another: the orchestrator's migrations finish before anything calls it.
    for (const name of selected) {
      const start = await STARTERS[name]();
      const running = await start({ env: environmentFor(name, env, dataRoot, simulator?.url), handleSignals: false });
      services.push({ name, url: urls[name].origin, running });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, simulator, stop };
}
