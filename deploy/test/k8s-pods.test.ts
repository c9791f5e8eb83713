import { randomBytes } from "node:crypto";
import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import { SERVICE_NAMES, type ServiceName } from "@devtools/contracts/services";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContainerProcess, imageRuntime, startContainerProcess } from "../src/container-process.ts";
import { hasKubectl, kustomizeBuild } from "../src/k8s/kustomize.ts";
import { type KubeObject, named, ofKind } from "../src/k8s/objects.ts";
import { overlayDir } from "../src/k8s/paths.ts";
import { appContainer, containerEnvironment, resolvePort } from "../src/k8s/workloads.ts";

// The cluster (kubectl) and the managed database (the machine's PostgreSQL) stand in for themselves.
const missing = [!hasKubectl() && "kubectl", !(await postgresAvailable()) && "PostgreSQL on 127.0.0.1:5432"].filter(
  Boolean,
);
const skip = missing.length > 0 && !process.env.CI;

/** Values for the Secret the operator creates, in the formats deploy/k8s/README.md gives. */
function operatorSecret(database: TestDatabase): Record<string, string> {
  return {
    DATABASE_URL: database.env.DATABASE_URL as string,
    INTERNAL_TOKEN: randomBytes(32).toString("hex"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    CALLBACK_SIGNING_SECRET: randomBytes(32).toString("hex"),
  };
}

describe.skipIf(skip)(
  skip ? `the prod pods as processes (skipped: needs ${missing.join(" and ")})` : "the prod pods as processes",
  () => {
    let objects: KubeObject[];
    let database: TestDatabase;
    let simulator: ContainerProcess;
    const pods = new Map<ServiceName, { process: ContainerProcess; port: number }>();

    beforeAll(async () => {
      objects = await kustomizeBuild(overlayDir("prod"));
      database = await createTestDatabase("postgres");
      // The GPU worker INFERENCE_BASE_URL names: the project's vLLM stand-in.
      const simulatorPort = await freePort();
      const simulatorImage = imageRuntime("inference-simulator");
      simulator = startContainerProcess(simulatorImage.command, {
        ...simulatorImage.env,
        SIMULATOR_HOST: "127.0.0.1",
        SIMULATOR_PORT: String(simulatorPort),
      });
      const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
      await waitFor(async () => ((await fetch(`${simulatorUrl}/health`)).ok ? true : undefined), {
        timeoutMs: 30_000,
        what: "the simulator",
      });

      // Cluster DNS, as processes: each Service name and port becomes 127.0.0.1 and a free port.
      const ports = new Map<ServiceName, number>();
      for (const service of SERVICE_NAMES) ports.set(service, await freePort());
      const rewrite = (value: string) => {
        if (!/^https?:\/\//.test(value)) return value;
        const url = new URL(value);
        const service = SERVICE_NAMES.find((name) => name === url.hostname);
        if (service) return `http://127.0.0.1:${ports.get(service)}${url.pathname === "/" ? "" : url.pathname}`;
        if (url.hostname === "gpu-worker") return `${simulatorUrl}${url.pathname}`;
        return value;
      };

      const secret = operatorSecret(database);
      for (const service of SERVICE_NAMES) {
        const container = appContainer(named(objects, "Deployment", service));
        const env = containerEnvironment(container, ofKind(objects, "ConfigMap"));
        const values: Record<string, string> = {};
        for (const [name, value] of Object.entries(env.values)) values[name] = rewrite(value);
        for (const { key, optional } of env.secretKeys.get("devtools-secrets") ?? []) {
          // A required key the operator's Secret lacks keeps the pod from starting (CreateContainerConfigError).
          if (secret[key] !== undefined) values[key] = secret[key];
          else expect(optional, `${service} requires ${key}, which the README's Secret does not have`).toBe(true);
        }
        const port = ports.get(service) as number;
        values.PORT = String(port);
        values.HOST = "127.0.0.1";
        // A pod's environment: its image's ENVs, then what the manifest gives the container.
        const image = imageRuntime(service);
        pods.set(service, { process: startContainerProcess(image.command, { ...image.env, ...values }), port });
      }
    });

    afterAll(async () => {
      for (const { process } of pods.values()) process.child.kill("SIGKILL");
      simulator?.child.kill("SIGKILL");
      await database?.drop();
    });

    it("starts every service from the manifests' environment and passes its readiness and liveness probes", async () => {
      await Promise.all(
        SERVICE_NAMES.map(async (service) => {
          const container = appContainer(named(objects, "Deployment", service));
          const pod = pods.get(service);
          if (!pod) throw new Error(`${service} did not start`);
          // Probes name the container's port; here it is the free port that stands in for it.
          expect(resolvePort(container, container.readinessProbe.httpGet.port)).toBeDefined();
          const probe = async (path: string) => (await fetch(`http://127.0.0.1:${pod.port}${path}`)).status;
          const exitedEarly = pod.process.exited.then((code) => {
            throw new Error(`${service} exited with ${code}:\n${pod.process.output.join("\n")}`);
          });
          exitedEarly.catch(() => {});
          await Promise.race([
            waitFor(async () => ((await probe(container.readinessProbe.httpGet.path)) === 200 ? true : undefined), {
              timeoutMs: 60_000,
              what: `${service} ${container.readinessProbe.httpGet.path}`,
            }),
            exitedEarly,
          ]);
          expect(await probe(container.livenessProbe.httpGet.path), service).toBe(200);
        }),
      );
    });

    it("answers internal calls only with the shared INTERNAL_TOKEN", async () => {
      for (const agent of AGENT_TYPES) {
        const pod = pods.get(agent);
        const response = await fetch(`http://127.0.0.1:${pod?.port}/capabilities`);
        expect(response.status, agent).toBe(401);
      }
    });

    it("drains and exits 0 on SIGTERM within terminationGracePeriodSeconds", async () => {
      const codes = await Promise.all(
        SERVICE_NAMES.map(async (service) => {
          const deployment = named(objects, "Deployment", service);
          const grace = deployment.spec.template.spec.terminationGracePeriodSeconds * 1000;
          return [service, await pods.get(service)?.process.terminate(grace)] as const;
        }),
      );
      for (const [service, code] of codes) expect(code, service).toBe(0);
    });
  },
);
