import type { KubeObject } from "./objects.ts";

// biome-ignore lint/suspicious/noExplicitAny: containers are read structurally; the models validate them.
export type Container = any;

/** A Deployment's single application container (every devtools pod runs exactly one). */
export function appContainer(deployment: KubeObject): Container {
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  if (containers.length !== 1)
    throw new Error(`Deployment ${deployment.metadata.name} runs ${containers.length} containers`);
  return containers[0];
}

export const podLabels = (deployment: KubeObject): Record<string, string> =>
  deployment.spec?.template?.metadata?.labels ?? {};

/** A probe's or Service's port, named (`http`) or numbered, as the container's port number. */
export function resolvePort(container: Container, port: number | string): number | undefined {
  if (typeof port === "number") return port;
  return (container.ports ?? []).find((candidate: { name?: string }) => candidate.name === port)?.containerPort;
}

/** What a container's environment is made of, with ConfigMap references resolved. */
export interface ContainerEnvironment {
  /** Every variable name the container gets. */
  names: string[];
  /** Values known from the manifests (literals and ConfigMap keys); secrets are not. */
  values: Record<string, string>;
  /** Secret name → keys referenced (required or optional). */
  secretKeys: Map<string, { key: string; optional: boolean }[]>;
  /** ConfigMap references that name a missing map or key. */
  dangling: string[];
}

export function containerEnvironment(container: Container, configMaps: readonly KubeObject[]): ContainerEnvironment {
  const result: ContainerEnvironment = { names: [], values: {}, secretKeys: new Map(), dangling: [] };
  const mapNamed = (name: string) => configMaps.find((map) => map.metadata.name === name);
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = mapNamed(source.configMapRef.name);
      if (!map) result.dangling.push(`envFrom ConfigMap ${source.configMapRef.name}`);
      for (const [key, value] of Object.entries<string>(map?.data ?? {})) {
        result.names.push(key);
        result.values[key] = value;
      }
    }
    // A whole Secret's keys are unknowable from the manifests, so envFrom secretRef is refused by the checks.
    if (source.secretRef) result.dangling.push(`envFrom Secret ${source.secretRef.name} (keys unknowable)`);
  }
  for (const variable of container.env ?? []) {
    result.names.push(variable.name);
    if (typeof variable.value === "string") result.values[variable.name] = variable.value;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    if (configMapRef) {
      const value = mapNamed(configMapRef.name)?.data?.[configMapRef.key];
      if (typeof value === "string") result.values[variable.name] = value;
      else if (!configMapRef.optional)
        result.dangling.push(`${variable.name}: ConfigMap ${configMapRef.name} key ${configMapRef.key}`);
    }
    const secretRef = variable.valueFrom?.secretKeyRef;
    if (secretRef) {
      const keys = result.secretKeys.get(secretRef.name) ?? [];
      keys.push({ key: secretRef.key, optional: secretRef.optional === true });
      result.secretKeys.set(secretRef.name, keys);
    }
  }
  return result;
}
