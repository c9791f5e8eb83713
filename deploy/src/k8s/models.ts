import type { KubeObject } from "./objects.ts";

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * kubernetes-models' class for an object's apiVersion and kind (`apps/v1` → `kubernetes-models/apps/v1`,
 * export `Deployment`), or an error when the library does not know the pair: a kind nobody can
 * validate, or a misspelt apiVersion, is a defect in the manifests.
 */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion)) throw new Error(`malformed apiVersion "${apiVersion}"`);
  let module: Record<string, unknown>;
  try {
    module = await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`);
  } catch {
    throw new Error(`unknown apiVersion ${apiVersion} (kind ${kind})`);
  }
  const model = module[kind];
  if (typeof model !== "function" || (model as { kind?: unknown }).kind !== kind) {
    throw new Error(`unknown kind ${kind} in ${apiVersion}`);
  }
  return model as ModelClass;
}

/** Validates an object against the Kubernetes OpenAPI schema of its kind; throws naming the first problems. */
export async function validateObject(object: KubeObject): Promise<void> {
  const Model = await modelFor(object.apiVersion, object.kind);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata?.name}: ${(error as Error).message}`);
  }
}
