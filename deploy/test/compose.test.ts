// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} here is Compose or shell syntax, not a template.
import { existsSync, readFileSync } from "node:fs";
import { SERVICES } from "@devtools/contracts/services";
import { describe, expect, it } from "vitest";
import { CONTAINER_VARIABLES, healthcheckUrl, portProblems, variableProblems } from "../src/compose/cross-check.ts";
import { parseEnvFile } from "../src/compose/env-file.ts";
import { COMPOSE_DIR, COMPOSE_FILES, ENV_EXAMPLE, REPO_ROOT, readYaml } from "../src/compose/files.ts";
import { allStrings, InterpolationError, variableReferences } from "../src/compose/interpolation.ts";
import { type ComposeModel, exampleEnvironment, loadCompose } from "../src/compose/model.ts";
import { COMPOSE_SCHEMA_PATH, composeSchemaProblems } from "../src/compose/schema.ts";
import { type Deployable, SERVICE_PORTS, SERVICE_VARIABLES } from "../src/service-environments.ts";

const SERVICE_NAMES = Object.keys(SERVICES);
const AGENTS = SERVICE_NAMES.filter((name) => name !== "gateway" && name !== "orchestrator");
const DEPLOYABLES = Object.keys(SERVICE_PORTS) as Deployable[];
const OUR_IMAGE = /^\$\{DOCR_REGISTRY:-registry\.digitalocean\.com\/the-shop\}\/(.+):\$\{IMAGE_TAG:-latest\}$/;

const example = exampleEnvironment();
// Only what `${NAME:?…}` demands: everything else falls back to the compose files' own defaults.
const requiredOnly = { INTERNAL_TOKEN: "t".repeat(32), POSTGRES_PASSWORD: "p", GRAFANA_ADMIN_PASSWORD: "g" };

const COMBINATIONS = {
  base: [COMPOSE_FILES.base],
  "base + prod": [COMPOSE_FILES.base, COMPOSE_FILES.prod],
  "base + override": [COMPOSE_FILES.base, COMPOSE_FILES.override],
} as const;

const models = Object.entries(COMBINATIONS).flatMap(([label, files]) => [
  { label: `${label}, .env.example`, model: loadCompose(files, example) },
  { label: `${label}, compose defaults`, model: loadCompose(files, requiredOnly) },
]);
const base = loadCompose([COMPOSE_FILES.base], example);
const prod = loadCompose(COMBINATIONS["base + prod"], example);
const raw = readYaml(COMPOSE_FILES.base) as unknown as ComposeModel;

describe("the compose files against the Compose Specification", () => {
  it.each(models)("$label validates against compose-spec.json", ({ model }) => {
    expect(composeSchemaProblems(model)).toEqual([]);
  });

  it("rejects a model the specification does not allow (the validator bites)", () => {
    const broken = structuredClone(base);
    (broken.services.gateway as Record<string, unknown>).healthcheck = { test: ["CMD"], intervall: "5s" };
    expect(composeSchemaProblems(broken).join("\n")).toContain("intervall");
  });

  // ../shared sits beside the repository where the design documents are checked out (CI's case).
  const SHARED_SCHEMA = `${REPO_ROOT}../shared/schemas/compose-spec.json`;
  it.skipIf(!existsSync(SHARED_SCHEMA))("uses the same schema as the shared copy", () => {
    const shared = JSON.parse(readFileSync(SHARED_SCHEMA, "utf8"));
    expect(JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, "utf8"))).toEqual(shared);
  });

  it("refuses to start without the secrets it cannot run without", () => {
    expect(() => loadCompose([COMPOSE_FILES.base], { ...requiredOnly, INTERNAL_TOKEN: "" })).toThrow(
      InterpolationError,
    );
    expect(() => loadCompose([COMPOSE_FILES.base], { ...requiredOnly, POSTGRES_PASSWORD: undefined })).toThrow(
      /POSTGRES_PASSWORD/,
    );
  });
});

describe("the compose files against the code", () => {
  it("runs each deployable from its own image, built from the one Dockerfile with SERVICE set", () => {
    for (const name of DEPLOYABLES) {
      const service = raw.services[name];
      expect(service, name).toBeDefined();
      expect(service?.image?.match(OUR_IMAGE)?.[1], name).toBe(name);
      expect(service?.build, name).toEqual({ context: "..", dockerfile: "Dockerfile", args: { SERVICE: name } });
      expect(existsSync(`${COMPOSE_DIR}${service?.build?.context}/${service?.build?.dockerfile}`)).toBe(true);
    }
    const ours = Object.entries(raw.services).filter(([, service]) => service.build);
    expect(ours.map(([name]) => name).sort()).toEqual([...DEPLOYABLES].sort());
  });

  it.each(models)("$label: ports, healthchecks and service URLs agree with the code", ({ model }) => {
    expect(portProblems(model, SERVICE_PORTS)).toEqual([]);
  });

  it("fails when a port in the code no longer matches the compose files", () => {
    for (const name of DEPLOYABLES) {
      const moved = { ...SERVICE_PORTS, [name]: SERVICE_PORTS[name] + 100 };
      expect(portProblems(base, moved).join("\n"), name).toContain(name);
    }
  });

  it.each(models)("$label gives each service only variables it reads", ({ model }) => {
    expect(variableProblems(model, SERVICE_VARIABLES)).toEqual([]);
  });

  it("fails on a variable no service reads", () => {
    const misspelt = structuredClone(base);
    (misspelt.services.orchestrator?.environment as Record<string, string>).ORCHESTRATOR_PORT = "8001";
    expect(variableProblems(misspelt, SERVICE_VARIABLES)).toEqual([
      "orchestrator: ORCHESTRATOR_PORT is not a variable orchestrator reads",
    ]);
    expect(CONTAINER_VARIABLES.has("NODE_ENV")).toBe(true);
  });

  it("points the agents at vLLM by default and at the simulator through .env", () => {
    const defaults = loadCompose([COMPOSE_FILES.base], requiredOnly);
    for (const agent of AGENTS) {
      expect(new URL(defaults.services[agent]?.environment?.INFERENCE_BASE_URL ?? "").hostname).toBe("vllm");
      expect(new URL(base.services[agent]?.environment?.INFERENCE_BASE_URL ?? "").hostname).toBe("inference-simulator");
    }
    // The planner is never pointed at the simulator: a simulated plan would only fall back to the rules.
    expect(base.services.orchestrator?.environment?.INFERENCE_BASE_URL).toBe("");
  });

  it("gives every service the shared INTERNAL_TOKEN and the gateway its secrets from .env", () => {
    for (const name of SERVICE_NAMES) {
      expect(raw.services[name]?.environment?.INTERNAL_TOKEN, name).toMatch(/^\$\{INTERNAL_TOKEN:\?/);
    }
    const gateway = raw.services.gateway?.environment ?? {};
    for (const secret of [
      "LINEAR_CLIENT_SECRET",
      "LINEAR_WEBHOOK_SECRET",
      "TOKEN_ENCRYPTION_KEY",
      "CALLBACK_SIGNING_SECRET",
    ]) {
      expect(gateway[secret], secret).toMatch(new RegExp(`^\\$\\{${secret}[:}]`));
    }
    expect(raw.services.orchestrator?.environment?.CALLBACK_SIGNING_SECRET).toBe(gateway.CALLBACK_SIGNING_SECRET);
  });

  it("probes /ready (or /health) with node, and starts services once what they need is healthy", () => {
    for (const name of DEPLOYABLES) {
      const service = base.services[name] as NonNullable<(typeof base.services)[string]>;
      expect(service.healthcheck?.test?.slice(0, 3), name).toEqual(["CMD", "node", "-e"]);
      expect(["/health", "/ready"]).toContain(healthcheckUrl(service)?.pathname);
    }
    for (const [name, service] of Object.entries(base.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe("service_healthy");
        expect(base.services[dependency]?.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
      }
    }
    expect(String(base.services.postgres?.healthcheck?.test)).toContain("pg_isready");
    expect(Object.keys(base.services.gateway?.depends_on ?? {}).sort()).toEqual(["orchestrator", "postgres"]);
    expect(Object.keys(base.services.orchestrator?.depends_on ?? {})).toEqual(["postgres"]);
  });

  it("puts everything on the bridge network devtools-network, with the named volumes where the services keep state", () => {
    expect(base.networks).toEqual({ "devtools-network": { driver: "bridge" } });
    for (const [name, service] of Object.entries(base.services)) {
      expect(service.networks, name).toEqual(["devtools-network"]);
      expect(service.container_name, name).toBeUndefined();
    }
    const mounts = (name: string) => (base.services[name]?.volumes ?? []).map(String);
    expect(mounts("gateway")).toEqual([`mcp-config:${base.services.gateway?.environment?.DATA_DIR}`]);
    expect(mounts("orchestrator")).toEqual([`orchestrator-data:${base.services.orchestrator?.environment?.DATA_DIR}`]);
    expect(mounts("postgres")).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    const declared = Object.keys(base.volumes ?? {});
    expect(declared).toEqual(expect.arrayContaining(["mcp-config", "orchestrator-data", "postgres-data"]));
    for (const [name, service] of Object.entries(base.services)) {
      for (const volume of (service.volumes ?? []).map(String)) {
        const source = volume.split(":")[0] ?? "";
        if (source.startsWith(".")) expect(existsSync(`${COMPOSE_DIR}${source}`), volume).toBe(true);
        else expect(declared, `${name} mounts ${source}`).toContain(source);
      }
    }
  });

  it("limits every service's resources", () => {
    for (const [name, service] of Object.entries(base.services)) {
      if (name === "vllm") continue; // bounded by its GPU reservation and --gpu-memory-utilization
      expect(service.deploy?.resources?.limits?.memory, name).toMatch(/^\d+[MG]$/);
    }
  });
});

describe("profiles", () => {
  const profiled = (profile: string) =>
    Object.entries(raw.services)
      .filter(([, service]) => service.profiles?.includes(profile))
      .map(([name]) => name)
      .sort();

  it("keeps the seven services and PostgreSQL in every profile", () => {
    const always = Object.entries(raw.services)
      .filter(([, service]) => !service.profiles)
      .map(([name]) => name);
    expect(always.sort()).toEqual([...SERVICE_NAMES, "postgres"].sort());
  });

  it("gpu: a pinned vLLM with an NVIDIA reservation, model and cache from variables, a python healthcheck", () => {
    expect(profiled("gpu")).toEqual(["vllm"]);
    const vllm = raw.services.vllm as NonNullable<(typeof raw.services)[string]>;
    expect(vllm.image).toMatch(/^vllm\/vllm-openai:v\d+\.\d+\.\d+$/);
    expect(vllm.deploy?.resources?.reservations?.devices?.[0]).toMatchObject({
      driver: "nvidia",
      capabilities: ["gpu"],
    });
    expect(vllm.command).toEqual(expect.arrayContaining(["--model", "${VLLM_MODEL:-Qwen/Qwen2.5-Coder-7B-Instruct}"]));
    expect(String(vllm.volumes?.[0])).toMatch(
      /^\$\{VLLM_CACHE_VOLUME:-huggingface-cache\}:\/root\/\.cache\/huggingface$/,
    );
    expect(vllm.healthcheck?.test?.slice(0, 2)).toEqual(["CMD", "python3"]);
    expect(healthcheckUrl(vllm)?.pathname).toBe("/health");
  });

  it("sim: the simulator as inference-simulator; observability: collector, Prometheus, Grafana", () => {
    expect(profiled("sim")).toEqual(["inference-simulator"]);
    expect(profiled("observability")).toEqual(["grafana", "otel-collector", "prometheus"]);
  });

  it("pins every image it does not build", () => {
    for (const [name, service] of Object.entries(base.services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[a-z0-9/_-]+:v?\d+\.\d+[\w.-]*$/);
    }
  });
});

describe("docker-compose.prod.yml merged onto the base", () => {
  it("publishes only the gateway's port", () => {
    for (const [name, service] of Object.entries(prod.services)) {
      if (name === "gateway") expect(service.ports).toEqual(["127.0.0.1:8000:8000"]);
      else expect(service.ports, name).toBeUndefined();
    }
    expect(raw.services.gateway?.ports).toEqual([
      "${GATEWAY_BIND_ADDRESS:-127.0.0.1}:${GATEWAY_PUBLISHED_PORT:-8000}:8000",
    ]);
  });

  it("restarts always and rotates json-file logs for every service", () => {
    for (const [name, service] of Object.entries(prod.services)) {
      expect(service.restart, name).toBe("always");
      expect(service.logging, name).toEqual({ driver: "json-file", options: { "max-size": "10m", "max-file": "5" } });
    }
  });

  it("runs replicas of the agents, which have no container_name or published port", () => {
    for (const agent of AGENTS) {
      expect(Number(prod.services[agent]?.deploy?.replicas), agent).toBeGreaterThan(1);
      expect(prod.services[agent]?.container_name).toBeUndefined();
      expect(prod.services[agent]?.ports).toBeUndefined();
    }
    expect(prod.services.gateway?.environment?.GATEWAY_AUTH).toBe("on");
  });
});

describe("docker-compose.override.example.yml (hot reload)", () => {
  const override = loadCompose(COMBINATIONS["base + override"], example);
  const workspaceDependencies = (directory: string): string[] => {
    const manifest = JSON.parse(readFileSync(`${REPO_ROOT}${directory}/package.json`, "utf8"));
    return Object.keys(manifest.dependencies ?? {})
      .filter((name) => name.startsWith("@devtools/"))
      .flatMap((name) => {
        const folder = `packages/${name.slice("@devtools/".length)}`;
        return [folder, ...workspaceDependencies(folder)];
      });
  };

  it.each(DEPLOYABLES)("%s runs node --watch over its sources and every workspace package it imports", (name) => {
    const directory = name === "inference-simulator" ? "packages/inference-simulator" : `services/${name}`;
    const service = override.services[name] as NonNullable<(typeof override.services)[string]>;
    expect(service.command).toEqual(["node", "--watch", `${directory}/src/main.ts`]);
    const expected = [directory, ...new Set(workspaceDependencies(directory))].map(
      (folder) => `../${folder}/src:/app/${folder}/src:ro`,
    );
    const sources = (service.volumes ?? []).map(String).filter((volume) => volume.startsWith("../"));
    expect(new Set(sources)).toEqual(new Set(expected));
    for (const folder of [directory, ...workspaceDependencies(directory)]) {
      expect(existsSync(`${REPO_ROOT}${folder}/src`), folder).toBe(true);
    }
  });

  it("mounts over the image's WORKDIR", () => {
    const dockerfile = readFileSync(`${REPO_ROOT}Dockerfile`, "utf8");
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
  });
});

describe("compose/.env.example", () => {
  const entries = parseEnvFile(readFileSync(ENV_EXAMPLE, "utf8"));
  const referenced = new Set(
    Object.values(COMPOSE_FILES).flatMap((path) =>
      allStrings(readYaml(path)).flatMap((text) => variableReferences(text).map((reference) => reference.name)),
    ),
  );
  // Read by the docker compose command itself, not by the files.
  const composeCli = new Set(["COMPOSE_PROFILES"]);

  it("lists every variable the compose files reference", () => {
    expect([...referenced].filter((name) => !entries.has(name))).toEqual([]);
  });

  it("lists nothing the compose files do not reference", () => {
    expect([...entries.keys()].filter((name) => !referenced.has(name) && !composeCli.has(name))).toEqual([]);
    expect(entries.get("COMPOSE_PROFILES")?.value).toBe("sim");
  });

  it("leaves every secret as __REPLACE_ME__", () => {
    const secrets = [...entries.keys()].filter((name) =>
      /PASSWORD|SECRET|(^|_)TOKEN$|API_KEY|ENCRYPTION_KEY/.test(name),
    );
    expect(secrets.length).toBeGreaterThan(8);
    for (const name of secrets) expect(entries.get(name)?.value, name).toBe("__REPLACE_ME__");
    expect(entries.get("DOCR_REGISTRY")?.value).toBe("registry.digitalocean.com/the-shop");
  });
});

describe("observability configuration", () => {
  const prometheus = readYaml(`${COMPOSE_DIR}observability/prometheus.yml`) as {
    scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
  };

  it("scrapes every deployable on the port the code gives it", () => {
    for (const name of DEPLOYABLES) {
      const job = prometheus.scrape_configs.find((config) => config.job_name === name);
      expect(job?.dns_sd_configs?.[0], name).toMatchObject({ names: [name], port: SERVICE_PORTS[name] });
    }
  });
});
