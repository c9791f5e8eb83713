import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { gatewayEnvironment } from "@devtools/gateway/config";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hasKubectl, kustomizeBuild } from "../src/k8s/kustomize.ts";
import { modelFor, validateObject } from "../src/k8s/models.ts";
import { type KubeObject, named, ofKind, selects } from "../src/k8s/objects.ts";
import {
  BASE_DIR,
  IMAGE_REPOSITORY,
  K8S_DIR,
  OVERLAYS,
  type Overlay,
  overlayDir,
  PULL_SECRET,
} from "../src/k8s/paths.ts";
import { appContainer, containerEnvironment, podLabels, resolvePort } from "../src/k8s/workloads.ts";
import { parseServiceEnvironment, SERVICE_PORTS, SERVICE_VARIABLES } from "../src/service-environments.ts";

const kubectl = hasKubectl();
// Without kubectl nothing here can run; in CI that is a failure, not a skip.
const skip = !kubectl && !process.env.CI;
const AUTOSCALED: readonly ServiceName[] = ["orchestrator", ...AGENT_TYPES];
// The only Secret the services read; the operator creates it (deploy/k8s/README.md).
const APP_SECRET = "devtools-secrets";

async function overlayTag(overlay: Overlay): Promise<string> {
  const kustomization = parse(await readFile(join(overlayDir(overlay), "kustomization.yaml"), "utf8"));
  const tags = new Set((kustomization.images ?? []).map((image: { newTag?: string }) => image.newTag));
  expect(tags.size, `${overlay}: one tag for every image`).toBe(1);
  return [...tags][0] as string;
}

const deploymentOf = (objects: readonly KubeObject[], service: ServiceName) => named(objects, "Deployment", service);

/** The least number of pods a Deployment runs: its autoscaler's minimum, else its replicas (default 1). */
function minimumReplicas(objects: readonly KubeObject[], deployment: KubeObject): number {
  const autoscaler = ofKind(objects, "HorizontalPodAutoscaler").find(
    (hpa) => hpa.spec.scaleTargetRef.name === deployment.metadata.name,
  );
  return autoscaler ? (autoscaler.spec.minReplicas ?? 1) : (deployment.spec.replicas ?? 1);
}

describe.skipIf(skip)(
  skip ? "Kubernetes manifests (skipped: kubectl with kustomize is not on PATH)" : "Kubernetes manifests",
  () => {
    const built = {} as Record<"base" | Overlay, KubeObject[]>;

    beforeAll(async () => {
      const [base, ...overlays] = await Promise.all([
        kustomizeBuild(BASE_DIR),
        ...OVERLAYS.map((overlay) => kustomizeBuild(overlayDir(overlay))),
      ]);
      built.base = base as KubeObject[];
      OVERLAYS.forEach((overlay, index) => {
        built[overlay] = overlays[index] as KubeObject[];
      });
    });

    it("builds the base and both overlays with kubectl kustomize", () => {
      for (const target of ["base", ...OVERLAYS] as const) {
        expect(ofKind(built[target], "Deployment").length, target).toBe(SERVICE_NAMES.length);
      }
    });

    it("validates every object against the Kubernetes schema of its kind", async () => {
      for (const target of ["base", ...OVERLAYS] as const) {
        for (const object of built[target]) await validateObject(object);
      }
    });

    it("refuses objects whose kind the schema library does not know", async () => {
      await expect(modelFor("example.com/v1", "Widget")).rejects.toThrow(/unknown apiVersion/);
      await expect(modelFor("apps/v1", "Deploymnet")).rejects.toThrow(/unknown kind/);
      // A type that exists in the library but is not an object kind.
      await expect(modelFor("v1", "Container")).rejects.toThrow(/unknown kind/);
      const broken = structuredClone(deploymentOf(built.prod, "gateway"));
      broken.spec.template.spec.containers[0].ports[0].containerPort = "eight thousand";
      await expect(validateObject(broken)).rejects.toThrow(/containerPort/);
    });

    describe.each(OVERLAYS)("the %s overlay", (overlay) => {
      const objects = () => built[overlay];

      it("runs the seven services, each from its registry image at the overlay's tag", async () => {
        const tag = await overlayTag(overlay);
        expect(ofKind(objects(), "Deployment").map((d) => d.metadata.name)).toEqual(
          expect.arrayContaining([...SERVICE_NAMES]),
        );
        for (const service of SERVICE_NAMES) {
          expect(appContainer(deploymentOf(objects(), service)).image).toBe(`${IMAGE_REPOSITORY}/${service}:${tag}`);
        }
      });

      it("puts everything in the overlay's namespace, which enforces the restricted pod security standard", async () => {
        const namespaces = ofKind(objects(), "Namespace");
        expect(namespaces).toHaveLength(1);
        const namespace = namespaces[0] as KubeObject;
        const kustomization = parse(await readFile(join(overlayDir(overlay), "kustomization.yaml"), "utf8"));
        expect(namespace.metadata.name).toBe(kustomization.namespace);
        expect(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        for (const object of objects().filter((o) => o.kind !== "Namespace")) {
          expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace.metadata.name);
        }
      });

      it("listens on each service's port: container port, PORT and a ClusterIP Service selecting its pods", () => {
        for (const service of SERVICE_NAMES) {
          const deployment = deploymentOf(objects(), service);
          const container = appContainer(deployment);
          const port = SERVICE_PORTS[service];
          expect(
            container.ports.map((p: { containerPort: number }) => p.containerPort),
            service,
          ).toEqual([port]);
          expect(containerEnvironment(container, ofKind(objects(), "ConfigMap")).values.PORT, service).toBe(
            String(port),
          );
          expect(deployment.spec.selector.matchLabels["app.kubernetes.io/name"]).toBe(service);
          const svc = named(objects(), "Service", service);
          expect(svc.spec.type ?? "ClusterIP", service).toBe("ClusterIP");
          expect(selects({ matchLabels: svc.spec.selector }, podLabels(deployment)), service).toBe(true);
          expect(svc.spec.ports).toHaveLength(1);
          expect(svc.spec.ports[0].port, service).toBe(port);
          expect(resolvePort(container, svc.spec.ports[0].targetPort), service).toBe(port);
        }
        expect(
          ofKind(objects(), "Service")
            .map((s) => s.metadata.name)
            .sort(),
        ).toEqual([...SERVICE_NAMES].sort());
      });

      it("probes /ready for readiness and /health for liveness on the service's port, with startup probes where migrations run", () => {
        for (const service of SERVICE_NAMES) {
          const container = appContainer(deploymentOf(objects(), service));
          const port = SERVICE_PORTS[service];
          expect(container.readinessProbe?.httpGet?.path, service).toBe("/ready");
          expect(resolvePort(container, container.readinessProbe.httpGet.port), service).toBe(port);
          expect(container.livenessProbe?.httpGet?.path, service).toBe("/health");
          expect(resolvePort(container, container.livenessProbe.httpGet.port), service).toBe(port);
          // /ready gives each dependency 2 s: a shorter probe timeout would fail a healthy pod.
          expect(container.readinessProbe.timeoutSeconds, service).toBeGreaterThan(2);
          if (service === "gateway" || service === "orchestrator") {
            expect(container.startupProbe?.httpGet?.path, service).toBe("/health");
            expect(resolvePort(container, container.startupProbe.httpGet.port), service).toBe(port);
            // Migrations wait on an advisory lock while another replica applies them.
            const budget = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
            expect(budget, service).toBeGreaterThanOrEqual(120);
          }
        }
      });

      it("gives each service only variables it reads, and values its own schema accepts", () => {
        const configMaps = ofKind(objects(), "ConfigMap");
        const readSomewhere = new Set<string>();
        for (const service of SERVICE_NAMES) {
          const container = appContainer(deploymentOf(objects(), service));
          const env = containerEnvironment(container, configMaps);
          expect(env.dangling, service).toEqual([]);
          expect(new Set(env.names).size, `${service}: no variable twice`).toBe(env.names.length);
          for (const name of env.names) {
            expect(SERVICE_VARIABLES[service].has(name), `${service} does not read ${name}`).toBe(true);
            readSomewhere.add(name);
          }
          expect([...env.secretKeys.keys()], service).toEqual([APP_SECRET]);
          const parsed = parseServiceEnvironment(service, env.values);
          expect(parsed.error?.issues ?? [], service).toEqual([]);
        }
        // A ConfigMap key nobody reads is a misspelling or a leftover.
        for (const map of configMaps) {
          for (const key of Object.keys(map.data ?? {})) expect(readSomewhere.has(key), `${key} is read`).toBe(true);
        }
      });

      it("gives the stateful services the managed database and every service the internal token from the Secret", () => {
        for (const service of SERVICE_NAMES) {
          const env = containerEnvironment(
            appContainer(deploymentOf(objects(), service)),
            ofKind(objects(), "ConfigMap"),
          );
          const keys = env.secretKeys.get(APP_SECRET) ?? [];
          const required = keys.filter((key) => !key.optional).map((key) => key.key);
          expect(required, service).toContain("INTERNAL_TOKEN");
          // Without DATABASE_URL a service falls back to an embedded PGlite on a read-only filesystem.
          if (SERVICE_VARIABLES[service].has("DATABASE_URL")) expect(required, service).toContain("DATABASE_URL");
          for (const name of ["POSTGRES_HOST", "POSTGRES_PASSWORD", "DATA_DIR"]) expect(env.names).not.toContain(name);
          // Secrets never arrive as literals or through a ConfigMap.
          for (const name of env.names.filter((n) => /SECRET|TOKEN|PASSWORD|API_KEY|DATABASE_URL|KEY$/.test(n))) {
            expect(
              keys.map((key) => key.key),
              `${service}: ${name} comes from the Secret`,
            ).toContain(name);
          }
        }
      });

      it("points every service URL at the right Service's DNS name and port, and MCP_GATEWAY_URL at the Ingress host", () => {
        const configMaps = ofKind(objects(), "ConfigMap");
        const ingress = named(objects(), "Ingress", "gateway");
        for (const service of SERVICE_NAMES) {
          const env = containerEnvironment(appContainer(deploymentOf(objects(), service)), configMaps);
          for (const [target, { urlVariable }] of Object.entries(SERVICES)) {
            const value = env.values[urlVariable];
            if (value === undefined) continue;
            if (target === "gateway") {
              expect(value, `${service} ${urlVariable}`).toBe(`https://${ingress.spec.rules[0].host}`);
              continue;
            }
            expect(value, `${service} ${urlVariable}`).toBe(`http://${target}:${SERVICE_PORTS[target as ServiceName]}`);
            expect(named(objects(), "Service", target).spec.ports[0].port).toBe(SERVICE_PORTS[target as ServiceName]);
          }
        }
        // The callers know where everything is: the gateway every internal service, the orchestrator every agent.
        const gateway = containerEnvironment(appContainer(deploymentOf(objects(), "gateway")), configMaps);
        for (const service of SERVICE_NAMES) expect(gateway.names).toContain(SERVICES[service].urlVariable);
        const orchestrator = containerEnvironment(appContainer(deploymentOf(objects(), "orchestrator")), configMaps);
        for (const agent of AGENT_TYPES) expect(orchestrator.names).toContain(SERVICES[agent].urlVariable);
      });

      it("exposes the gateway alone, through an nginx Ingress with TLS that streams events unbuffered", () => {
        const ingresses = ofKind(objects(), "Ingress");
        expect(ingresses).toHaveLength(1);
        const ingress = ingresses[0] as KubeObject;
        expect(ingress.spec.ingressClassName).toBe("nginx");
        const backends = ingress.spec.rules.flatMap((rule: { http: { paths: { backend: unknown }[] } }) =>
          rule.http.paths.map((path) => path.backend),
        );
        expect(backends.length).toBeGreaterThan(0);
        for (const backend of backends)
          expect(backend).toEqual({ service: { name: "gateway", port: { name: "http" } } });
        const hosts = ingress.spec.rules.map((rule: { host: string }) => rule.host);
        expect(ingress.spec.tls.flatMap((tls: { hosts: string[] }) => tls.hosts).sort()).toEqual([...hosts].sort());
        expect(ingress.spec.tls.every((tls: { secretName?: string }) => tls.secretName)).toBe(true);
        const annotations = ingress.metadata.annotations ?? {};
        expect(annotations["nginx.ingress.kubernetes.io/proxy-buffering"]).toBe("off");
        const orchestrateWait = gatewayEnvironment.shape.MCP_ORCHESTRATE_WAIT_SECONDS.parse(undefined);
        expect(Number(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThan(orchestrateWait);
        for (const service of ofKind(objects(), "Service")) expect(service.spec.type ?? "ClusterIP").toBe("ClusterIP");
      });

      it("autoscales the five agents and the orchestrator on CPU, leaving their replica count to the autoscaler", () => {
        const autoscalers = ofKind(objects(), "HorizontalPodAutoscaler");
        expect(autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name).sort()).toEqual([...AUTOSCALED].sort());
        for (const hpa of autoscalers) {
          expect(hpa.apiVersion).toBe("autoscaling/v2");
          const { scaleTargetRef, minReplicas, maxReplicas, metrics } = hpa.spec;
          expect(scaleTargetRef).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
          const deployment = deploymentOf(objects(), scaleTargetRef.name);
          // `kubectl apply` of a replica count would undo the autoscaler's on every deploy.
          expect(deployment.spec.replicas, scaleTargetRef.name).toBeUndefined();
          expect(minReplicas).toBeGreaterThanOrEqual(1);
          expect(maxReplicas).toBeGreaterThan(minReplicas);
          expect(metrics).toContainEqual({
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: expect.any(Number) } },
          });
          // Utilization is relative to the request: without one the autoscaler cannot compute it.
          expect(appContainer(deployment).resources?.requests?.cpu, scaleTargetRef.name).toBeDefined();
        }
      });

      it("budgets disruptions for every service without letting a budget block a node drain", () => {
        const budgets = ofKind(objects(), "PodDisruptionBudget");
        for (const deployment of ofKind(objects(), "Deployment")) {
          const covering = budgets.filter((pdb) => selects(pdb.spec.selector, podLabels(deployment)));
          expect(covering, deployment.metadata.name).toHaveLength(1);
          const budget = (covering[0] as KubeObject).spec;
          if (budget.minAvailable !== undefined) {
            expect(budget.minAvailable, deployment.metadata.name).toBeLessThan(minimumReplicas(objects(), deployment));
          } else {
            expect(budget.maxUnavailable, deployment.metadata.name).toBeGreaterThanOrEqual(1);
          }
        }
        for (const pdb of budgets) {
          const pods = ofKind(objects(), "Deployment").filter((d) => selects(pdb.spec.selector, podLabels(d)));
          expect(pods, `PodDisruptionBudget ${pdb.metadata.name} selects one Deployment's pods`).toHaveLength(1);
        }
      });

      it("runs every pod from the DOCR pull secret as uid 1000, non-root, read-only, unprivileged", () => {
        for (const deployment of ofKind(objects(), "Deployment")) {
          const pod = deployment.spec.template.spec;
          const name = deployment.metadata.name;
          expect(pod.imagePullSecrets, name).toEqual([{ name: PULL_SECRET }]);
          expect(pod.automountServiceAccountToken, name).toBe(false);
          expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
          const container = appContainer(deployment);
          expect(container.securityContext, name).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          });
          // A read-only root still needs a writable /tmp.
          const tmp = container.volumeMounts.find((mount: { mountPath: string }) => mount.mountPath === "/tmp");
          expect(
            pod.volumes.find((volume: { name: string }) => volume.name === tmp?.name)?.emptyDir,
            name,
          ).toBeDefined();
          expect(container.resources?.limits?.memory, name).toBeDefined();
          expect(container.resources?.requests?.memory, name).toBeDefined();
        }
      });

      it("lets each service drain on SIGTERM: the grace period covers the preStop pause and SHUTDOWN_TIMEOUT_MS", () => {
        for (const service of SERVICE_NAMES) {
          const deployment = deploymentOf(objects(), service);
          const container = appContainer(deployment);
          const env = containerEnvironment(container, ofKind(objects(), "ConfigMap"));
          const parsed = parseServiceEnvironment(service, env.values);
          const shutdownSeconds = (parsed.data as { SHUTDOWN_TIMEOUT_MS: number }).SHUTDOWN_TIMEOUT_MS / 1000;
          const pause = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
          expect(pause, `${service}: a preStop pause lets endpoints drop the pod first`).toBeGreaterThan(0);
          expect(deployment.spec.template.spec.terminationGracePeriodSeconds, service).toBeGreaterThan(
            pause + shutdownSeconds,
          );
          // A rolling update never takes serving capacity away.
          expect(deployment.spec.strategy.rollingUpdate.maxUnavailable, service).toBe(0);
        }
      });
    });

    it("makes production stricter than staging: more replicas, minAvailable budgets, higher limits", () => {
      const bytes = (quantity: string) => {
        const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
        if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
        return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
      };
      for (const service of SERVICE_NAMES) {
        const prod = deploymentOf(built.prod, service);
        const staging = deploymentOf(built.staging, service);
        expect(minimumReplicas(built.prod, prod), service).toBeGreaterThanOrEqual(2);
        expect(minimumReplicas(built.prod, prod), service).toBeGreaterThanOrEqual(
          minimumReplicas(built.staging, staging),
        );
        expect(bytes(appContainer(prod).resources.limits.memory), service).toBeGreaterThan(
          bytes(appContainer(staging).resources.limits.memory),
        );
      }
      for (const pdb of ofKind(built.prod, "PodDisruptionBudget"))
        expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    });

    it("commits no Secret: credentials are created by the operator and only referenced", async () => {
      for (const target of ["base", ...OVERLAYS] as const) expect(ofKind(built[target], "Secret")).toEqual([]);
      const files = (await readdir(K8S_DIR, { recursive: true })).filter((file) => /\.ya?ml$/.test(file));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const text = await readFile(join(K8S_DIR, file), "utf8");
        expect(text, file).not.toMatch(/^kind:\s*Secret\b/m);
        expect(text, file).not.toMatch(/secretGenerator/);
      }
    });

    it("documents how to create every Secret the manifests reference", async () => {
      const guide = await readFile(join(K8S_DIR, "README.md"), "utf8");
      const referenced = new Set<string>();
      for (const deployment of ofKind(built.prod, "Deployment")) {
        const env = containerEnvironment(appContainer(deployment), ofKind(built.prod, "ConfigMap"));
        for (const key of env.secretKeys.get(APP_SECRET) ?? []) referenced.add(key.key);
      }
      for (const key of referenced) expect(guide, `README explains ${key}`).toContain(key);
      expect(guide).toContain(APP_SECRET);
      expect(guide).toContain(`doctl registry kubernetes-manifest`);
      expect(guide).toContain(PULL_SECRET);
      const tls = named(built.prod, "Ingress", "gateway").spec.tls[0].secretName;
      expect(guide).toContain(tls);
    });
  },
);
