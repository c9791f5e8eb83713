/** The parts of a Kubernetes object these checks read; everything else stays `unknown`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read structurally; the models validate them.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  data?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  stringData?: any;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** Kubernetes label-selector semantics: every matchLabels pair and every expression must hold. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key] as string);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key] as string);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        // An operator Kubernetes does not know selects nothing, as the API server would refuse it.
        return false;
    }
  });
  return pairs && expressions;
}

export const ofKind = (objects: readonly KubeObject[], kind: string) =>
  objects.filter((object) => object.kind === kind);

export function named(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
}
