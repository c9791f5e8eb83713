import { parseYaml } from "./yaml.ts";

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Each document of the manifest parses as YAML and names its apiVersion, kind and metadata.name, as `kubectl apply` needs. */
export function kubernetesProblems(content: string): string[] {
  const parsed = parseYaml(content);
  if (!parsed.ok) return parsed.problems;
  if (parsed.documents.length === 0) return ["holds no Kubernetes object"];
  return parsed.documents.flatMap((document, index) => {
    const which = parsed.documents.length > 1 ? `document ${index + 1}: ` : "";
    if (!isMapping(document)) return [`${which}a Kubernetes object must be a YAML mapping`];
    const problems: string[] = [];
    for (const field of ["apiVersion", "kind"]) {
      if (typeof document[field] !== "string" || document[field] === "") problems.push(`${which}${field} is missing`);
    }
    const { metadata } = document;
    if (!isMapping(metadata) || typeof metadata.name !== "string" || metadata.name === "") {
      problems.push(`${which}metadata.name is missing`);
    }
    return problems;
  });
}
