import { type KubeObject, type LabelSelector, ofKind, selects } from "./objects.ts";
import { appContainer, podLabels, resolvePort } from "./workloads.ts";

// biome-ignore lint/suspicious/noExplicitAny: policy rules are read structurally; the models validate them.
type Rule = any;
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
}

/** A connection one pod may open to another in the namespace: `gateway → orchestrator:8001`. */
export interface Edge {
  from: string;
  to: string;
  port: number;
}

export const edgeKey = ({ from, to, port }: Edge) => `${from} → ${to}:${port}`;

/** The policies that apply to a Deployment's pods in one direction. */
export function policiesFor(objects: readonly KubeObject[], deployment: KubeObject, type: "Ingress" | "Egress") {
  return ofKind(objects, "NetworkPolicy").filter(
    (policy) =>
      (policy.spec.policyTypes ?? ["Ingress"]).includes(type) &&
      selects(policy.spec.podSelector, podLabels(deployment)),
  );
}

/** A peer within the policy's own namespace: a pod selector alone. */
const isLocal = (peer: Peer) => peer.podSelector !== undefined && !peer.namespaceSelector && !peer.ipBlock;

/** Whether a rule's ports admit TCP to `port` on `target` (named ports resolve at the destination). */
function admits(ports: PolicyPort[] | undefined, target: KubeObject, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (candidate) =>
      (candidate.protocol ?? "TCP") === "TCP" &&
      (candidate.port === undefined || resolvePort(appContainer(target), candidate.port) === port),
  );
}

/**
 * Every connection between the namespace's Deployments that one direction's policies allow: Ingress
 * asks the destination's policies, Egress the source's. A call works only when both allow it.
 */
export function allowedEdges(objects: readonly KubeObject[], direction: "Ingress" | "Egress"): Edge[] {
  const deployments = ofKind(objects, "Deployment");
  const edges: Edge[] = [];
  for (const source of deployments) {
    for (const target of deployments) {
      if (source === target) continue;
      const port = appContainer(target).ports[0].containerPort as number;
      const [subject, other] = direction === "Ingress" ? [target, source] : [source, target];
      const allowed = policiesFor(objects, subject, direction).some((policy) =>
        ((direction === "Ingress" ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule: Rule) => {
          const peers: Peer[] = (direction === "Ingress" ? rule.from : rule.to) ?? [];
          const reaches =
            peers.length === 0 ||
            peers.some((peer) => isLocal(peer) && selects(peer.podSelector as LabelSelector, podLabels(other)));
          return reaches && admits(rule.ports, target, port);
        }),
      );
      if (allowed) edges.push({ from: source.metadata.name, to: target.metadata.name, port });
    }
  }
  return edges;
}

/** Ingress rules admitting traffic from outside the namespace: [policy, rule] pairs. */
export function externalIngressRules(objects: readonly KubeObject[]): { policy: KubeObject; rule: Rule }[] {
  return ofKind(objects, "NetworkPolicy").flatMap((policy) =>
    (policy.spec.ingress ?? [])
      .filter((rule: Rule) => {
        const peers: Peer[] = rule.from ?? [];
        return peers.length === 0 || peers.some((peer) => !isLocal(peer));
      })
      .map((rule: Rule) => ({ policy, rule })),
  );
}

/** The ports a Deployment's pods may open to destinations outside the namespace, per protocol (`TCP/5432`). */
export function externalEgressPorts(objects: readonly KubeObject[], deployment: KubeObject): Set<string> {
  const ports = new Set<string>();
  for (const policy of policiesFor(objects, deployment, "Egress")) {
    for (const rule of policy.spec.egress ?? []) {
      const peers: Peer[] = rule.to ?? [];
      if (peers.length > 0 && peers.every(isLocal)) continue;
      for (const port of (rule.ports ?? []) as PolicyPort[]) ports.add(`${port.protocol ?? "TCP"}/${port.port}`);
      if (!rule.ports) ports.add("any");
    }
  }
  return ports;
}
