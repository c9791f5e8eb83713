import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { beforeAll, describe, expect, it } from "vitest";
import { hasKubectl, kustomizeBuild } from "../src/k8s/kustomize.ts";
import {
  allowedEdges,
  type Edge,
  edgeKey,
  externalEgressPorts,
  externalIngressRules,
  policiesFor,
} from "../src/k8s/network.ts";
import { type KubeObject, named, ofKind, selects } from "../src/k8s/objects.ts";
import { OVERLAYS, type Overlay, overlayDir } from "../src/k8s/paths.ts";
import { appContainer, containerEnvironment, podLabels } from "../src/k8s/workloads.ts";
import { SERVICE_PORTS, SERVICE_VARIABLES } from "../src/service-environments.ts";

const skip = !hasKubectl() && !process.env.CI;
const INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx";

/**
 * The calls the services make inside the namespace, derived from their configuration: each URL
 * variable a container gets that names one of the namespace's Services.
 */
function requiredEdges(objects: readonly KubeObject[]): Edge[] {
  const services = new Set(ofKind(objects, "Service").map((service) => service.metadata.name));
  return ofKind(objects, "Deployment").flatMap((deployment) => {
    const env = containerEnvironment(appContainer(deployment), ofKind(objects, "ConfigMap"));
    return Object.values(SERVICES)
      .map(({ urlVariable }) => env.values[urlVariable])
      .filter((value): value is string => value !== undefined)
      .map((value) => new URL(value))
      .filter((url) => services.has(url.hostname))
      .map((url) => ({ from: deployment.metadata.name, to: url.hostname, port: Number(url.port) }));
  });
}

const keys = (edges: Edge[]) => edges.map(edgeKey).sort();

describe.skipIf(skip)(
  skip ? "Kubernetes network policies (skipped: kubectl with kustomize is not on PATH)" : "Kubernetes network policies",
  () => {
    const built = {} as Record<Overlay, KubeObject[]>;

    beforeAll(async () => {
      const objects = await Promise.all(OVERLAYS.map((overlay) => kustomizeBuild(overlayDir(overlay))));
      OVERLAYS.forEach((overlay, index) => {
        built[overlay] = objects[index] as KubeObject[];
      });
    });

    describe.each(OVERLAYS)("the %s overlay", (overlay) => {
      const objects = () => built[overlay];

      it("denies all traffic, both ways, unless a policy allows it", () => {
        const denyAll = ofKind(objects(), "NetworkPolicy").filter(
          (policy) =>
            Object.keys(policy.spec.podSelector).length === 0 &&
            policy.spec.policyTypes?.includes("Ingress") &&
            policy.spec.policyTypes?.includes("Egress") &&
            !policy.spec.ingress &&
            !policy.spec.egress,
        );
        expect(denyAll).toHaveLength(1);
      });

      it("selects real pods with every policy and every in-namespace peer", () => {
        const pods = ofKind(objects(), "Deployment").map(podLabels);
        for (const policy of ofKind(objects(), "NetworkPolicy")) {
          const name = policy.metadata.name;
          expect(
            pods.some((labels) => selects(policy.spec.podSelector, labels)),
            name,
          ).toBe(true);
          const peers = [
            ...(policy.spec.ingress ?? []).flatMap((rule: { from?: unknown[] }) => rule.from ?? []),
            ...(policy.spec.egress ?? []).flatMap((rule: { to?: unknown[] }) => rule.to ?? []),
          ];
          for (const peer of peers.filter((p) => p.podSelector && !p.namespaceSelector)) {
            expect(
              pods.some((labels) => selects(peer.podSelector, labels)),
              `${name}: ${JSON.stringify(peer)}`,
            ).toBe(true);
          }
        }
      });

      it("lets traffic from outside the namespace reach the gateway only, from the ingress controller, on its port", () => {
        const external = externalIngressRules(objects());
        expect(external.length).toBeGreaterThan(0);
        const gateway = named(objects(), "Deployment", "gateway");
        for (const { policy, rule } of external) {
          const reached = ofKind(objects(), "Deployment").filter((d) => selects(policy.spec.podSelector, podLabels(d)));
          expect(
            reached.map((d) => d.metadata.name),
            policy.metadata.name,
          ).toEqual(["gateway"]);
          expect(rule.from).toEqual([
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": INGRESS_CONTROLLER_NAMESPACE } },
              podSelector: expect.any(Object),
            },
          ]);
          expect(rule.ports).toHaveLength(1);
          const port = rule.ports[0].port;
          const resolved =
            typeof port === "number"
              ? port
              : appContainer(gateway).ports.find((p: { name: string }) => p.name === port)?.containerPort;
          expect(resolved).toBe(SERVICE_PORTS.gateway);
        }
      });

      it("allows exactly the calls the services are configured to make: gateway → everything, orchestrator → agents", () => {
        const required = requiredEdges(objects());
        const agentsFrom = (from: ServiceName) =>
          AGENT_TYPES.map((agent) => ({ from, to: agent, port: SERVICE_PORTS[agent] }));
        // What the design says, so that a configuration change that widens the graph is noticed.
        expect(keys(required)).toEqual(
          keys([
            { from: "gateway", to: "orchestrator", port: SERVICE_PORTS.orchestrator },
            ...agentsFrom("gateway"),
            ...agentsFrom("orchestrator"),
          ]),
        );
        expect(keys(allowedEdges(objects(), "Ingress"))).toEqual(keys(required));
        expect(keys(allowedEdges(objects(), "Egress"))).toEqual(keys(required));
      });

      it("lets every pod resolve names through the cluster DNS", () => {
        for (const deployment of ofKind(objects(), "Deployment")) {
          const dns = policiesFor(objects(), deployment, "Egress").flatMap((policy) =>
            (policy.spec.egress ?? []).filter(
              (rule: { to?: { namespaceSelector?: unknown; podSelector?: unknown }[] }) =>
                rule.to?.some(
                  (peer) =>
                    JSON.stringify(peer.namespaceSelector) ===
                      JSON.stringify({ matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }) &&
                    JSON.stringify(peer.podSelector) === JSON.stringify({ matchLabels: { "k8s-app": "kube-dns" } }),
                ),
            ),
          );
          const ports = dns.flatMap((rule: { ports: { protocol: string; port: number }[] }) =>
            rule.ports.map((p) => `${p.protocol}/${p.port}`),
          );
          expect(ports.sort(), deployment.metadata.name).toEqual(["TCP/53", "UDP/53"]);
        }
      });

      it("lets only the services that read a database reach PostgreSQL, and only those that infer reach the model", () => {
        const configMaps = ofKind(objects(), "ConfigMap");
        for (const service of SERVICE_NAMES) {
          const deployment = named(objects(), "Deployment", service);
          const ports = externalEgressPorts(objects(), deployment);
          expect(ports.has("any"), `${service}: no egress rule without ports`).toBe(false);
          const database = SERVICE_VARIABLES[service].has("DATABASE_URL");
          for (const postgres of ["TCP/5432", "TCP/25060"])
            expect(ports.has(postgres), `${service} ${postgres}`).toBe(database);
          const inference = containerEnvironment(appContainer(deployment), configMaps).values.INFERENCE_BASE_URL;
          if (inference) {
            const url = new URL(inference);
            const port = url.port || (url.protocol === "https:" ? "443" : "80");
            expect(ports.has(`TCP/${port}`), `${service} reaches ${inference}`).toBe(true);
          } else {
            expect(ports.has("TCP/8000"), `${service} has no inference backend`).toBe(false);
          }
        }
        // The agents talk to the model and nothing else outside the namespace.
        for (const agent of AGENT_TYPES) {
          const ports = [...externalEgressPorts(objects(), named(objects(), "Deployment", agent))].sort();
          expect(ports, agent).toEqual(["TCP/443", "TCP/53", "TCP/8000", "UDP/53"]);
        }
      });
    });
  },
);
