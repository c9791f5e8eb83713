import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./objects.ts";

const run = promisify(execFile);

/** Whether `kubectl` (with its built-in kustomize) is on PATH. */
export function hasKubectl(): boolean {
  return spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
}

/** Renders a kustomization as `kubectl apply -k` would send it, one object per document. */
export async function kustomizeBuild(dir: string): Promise<KubeObject[]> {
  const { stdout } = await run("kubectl", ["kustomize", dir], { maxBuffer: 16 * 1024 * 1024 });
  const documents = parseAllDocuments(stdout);
  return documents.map((document, index) => {
    if (document.errors.length > 0) throw new Error(`document ${index + 1}: ${document.errors[0]?.message}`);
    return document.toJS() as KubeObject;
  });
}
