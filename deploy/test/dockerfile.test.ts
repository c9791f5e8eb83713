import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dockerfileProblems } from "@devtools/agent-runtime/checks/dockerfile";
import { ValidationSeverity, type ValidatorSettings, validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEPLOYABLES, packageDir, REPO_ROOT, repositoryDockerfile } from "../src/image/deployables.ts";
import { stageNamed } from "../src/image/dockerfile-model.ts";
import { imageConfig } from "../src/image/image-config.ts";
import { SERVICE_PORTS, SERVICE_VARIABLES } from "../src/service-environments.ts";

const content = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const model = repositoryDockerfile();

// Every rule dockerfile-utils has, raised to an error: the file must be clean, not merely acceptable.
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const describeProblems = (text: string) =>
  validate(text, STRICT).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`);

describe("the Dockerfile", () => {
  it("parses and lints with no problem at all", () => {
    expect(dockerfileProblems(content)).toEqual([]);
    expect(describeProblems(content)).toEqual([]);
  });

  it("would be flagged by the linter if it were broken (the check is live)", () => {
    const broken = content.replace("WORKDIR /app", "workdir app").replace("USER node", "USER node\nMAINTAINER x");
    expect(describeProblems(broken).length).toBeGreaterThanOrEqual(2);
  });

  it("builds every stage from one Node 24 base pinned to an exact version", () => {
    const images = new Set(DEPLOYABLES.map((service) => imageConfig(model, { SERVICE: service }).baseImage));
    expect(images.size).toBe(1);
    const [image = ""] = images;
    expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    // The stages that are not built on another stage all start from that image.
    for (const stage of model.stages) {
      const config = imageConfig(model, { SERVICE: "gateway" }, stage.name);
      expect(config.baseImage, `stage ${stage.name}`).toBe(image);
    }
  });

  it("prunes with the workspace's turbo and keeps the dependency layer below the sources", () => {
    const catalog = (
      parse(readFileSync(join(REPO_ROOT, "pnpm-workspace.yaml"), "utf8")) as { catalog: Record<string, string> }
    ).catalog;
    expect(model.stages.find((stage) => stage.name === "pruner")?.steps).toContainEqual(
      expect.objectContaining({ keyword: "ARG", properties: [{ name: "TURBO_VERSION", value: catalog.turbo }] }),
    );
    const pruner = stageNamed(model, "pruner").steps.map((step) => `${step.keyword} ${step.text}`);
    // The package turbo prunes for is the SERVICE build argument's @devtools package.
    expect(pruner).toContain(`RUN turbo prune "@devtools/\${SERVICE}" --docker`);

    const installer = stageNamed(model, "installer").steps;
    const order = installer.map((step) =>
      step.keyword === "COPY" ? `COPY ${step.args[0]}` : step.keyword === "RUN" ? `RUN ${step.text}` : step.keyword,
    );
    const json = order.indexOf("COPY /app/out/json/");
    const install = order.findIndex((text) => text.startsWith("RUN pnpm install"));
    const full = order.indexOf("COPY /app/out/full/");
    expect(json).toBeGreaterThanOrEqual(0);
    expect(install).toBeGreaterThan(json);
    expect(full).toBeGreaterThan(install);
    const installStep = installer[install];
    expect(installStep?.text).toMatch(/--frozen-lockfile/);
    expect(installStep?.text).toMatch(/--prod\b/);
    expect(installStep?.flags.mount).toMatch(/^type=cache,/);
  });

  it.each(DEPLOYABLES)("builds %s: its package, its port, its entry point, as node, in production", (service) => {
    const config = imageConfig(model, { SERVICE: service });
    const dir = packageDir(service);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")) as { name: string };
    // turbo prune names the package @devtools/${SERVICE}.
    expect(manifest.name).toBe(`@devtools/${service}`);

    expect(config.exposedPorts).toEqual([SERVICE_PORTS[service]]);
    const portVariables = Object.keys(config.env).filter((name) => config.env[name] === String(SERVICE_PORTS[service]));
    expect(portVariables).toHaveLength(1);
    // Every variable the image sets is one the service reads (NODE_ENV is Node's own).
    const { NODE_ENV, ...serviceEnv } = config.env;
    expect(NODE_ENV).toBe("production");
    for (const name of Object.keys(serviceEnv)) expect(SERVICE_VARIABLES[service], name).toContain(name);

    expect(config.cmd).toEqual(["node", `${dir}/src/main.ts`]);
    expect(existsSync(join(REPO_ROOT, dir, "src", "main.ts"))).toBe(true);
    expect(config.workdir).toBe("/app");
    expect(config.user).toBe("node");
    expect(config.stopSignal).toBe("SIGTERM");

    const check = config.healthcheck;
    expect(check?.command[0]).toBe("node");
    expect(check?.command.join(" ")).toContain("/health");
    expect(check?.command.join(" ")).toContain(`process.env.${portVariables[0]}`);
    expect(check?.command.join(" ")).not.toMatch(/\b(curl|wget)\b/);
    expect(Object.keys(check?.options ?? {})).toEqual(expect.arrayContaining(["interval", "timeout", "retries"]));
  });

  it("has a stage for exactly the deployables", () => {
    const serviceStages = model.stages.flatMap((stage) => stage.name?.match(/^service-(.+)$/)?.[1] ?? []);
    expect(serviceStages.sort()).toEqual([...DEPLOYABLES].sort());
    // An unknown SERVICE names no stage, so the build stops instead of shipping a wrong image.
    expect(imageConfig(model, { SERVICE: "billing" }).baseImage).toBe("service-billing");
  });

  it("labels the image the OCI way, with version, revision and date from build arguments", () => {
    const config = imageConfig(model, {
      SERVICE: "orchestrator",
      VERSION: "1.4.0",
      REVISION: "0123abcd",
      CREATED: "2026-01-02T03:04:05Z",
      SOURCE: "https://github.com/acme/devtools",
    });
    expect(config.labels).toMatchObject({
      "org.opencontainers.image.title": "devtools-orchestrator",
      "org.opencontainers.image.version": "1.4.0",
      "org.opencontainers.image.revision": "0123abcd",
      "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
      "org.opencontainers.image.source": "https://github.com/acme/devtools",
      "org.opencontainers.image.base.name": `docker.io/library/${config.baseImage}`,
    });
  });
});
