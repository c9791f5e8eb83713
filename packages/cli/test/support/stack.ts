import type { ServiceName } from "@devtools/contracts/services";
import { createApiKey, stackEnvironment, startStackProcess } from "@devtools/testkit/stack";

export interface TestStack {
  urls: Record<ServiceName, string>;
  /** An API key of the gateway, created before it started. */
  apiKey: string;
  stop: () => Promise<void>;
}

/**
 * `npm start`'s stack as a child process, every service and the simulator on free ports, its
 * embedded database in a temporary folder that already holds one API key.
 */
export async function startTestStack(extraEnv: Record<string, string>): Promise<TestStack> {
  const environment = await stackEnvironment(extraEnv);
  const apiKey = createApiKey(environment, "cli-test");
  const stack = await startStackProcess(environment);
  return { urls: environment.urls, apiKey, stop: () => stack.stop() };
}
