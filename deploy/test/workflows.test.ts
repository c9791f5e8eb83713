import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { workflowProblems } from "@devtools/agent-runtime/checks/workflow";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEPLOYABLES, REPO_ROOT, repositoryDockerfile } from "../src/image/deployables.ts";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | boolean | number>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  if?: string;
  "runs-on"?: string;
  "timeout-minutes"?: number;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string> | string;
  strategy?: { matrix: Record<string, unknown> };
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

/** A GitHub Actions expression as written in a workflow: ex("github.sha") is `${{ github.sha }}`. */
const ex = (inner: string) => `\${{ ${inner} }}`;

const WORKFLOWS = ["ci.yml", "docr-build.yml", "deploy.yml"] as const;
const text = (file: string) => readFileSync(join(REPO_ROOT, ".github", "workflows", file), "utf8");
const workflow = (file: (typeof WORKFLOWS)[number]) => parse(text(file)) as Workflow;
const steps = (job: Job | undefined) => job?.steps ?? [];
const runs = (job: Job | undefined) => steps(job).flatMap((step) => (step.run ? [step.run.trim()] : []));
const usesOf = (job: Job | undefined, action: string) => steps(job).find((step) => step.uses?.startsWith(`${action}@`));

describe("every workflow", () => {
  it.each(WORKFLOWS)("%s parses and validates with GitHub's workflow parser", async (file) => {
    expect(await workflowProblems(text(file), file)).toEqual([]);
  });

  it("would be refused by the parser if it were broken (the check is live)", async () => {
    const broken = text("deploy.yml").replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    needs: [nowhere]");
    expect((await workflowProblems(broken, "deploy.yml")).join("\n")).toMatch(/nowhere/);
  });

  it.each(WORKFLOWS)("%s pins every action to a commit SHA with its release, or to a full release", (file) => {
    const references = text(file)
      .split("\n")
      .flatMap((line) => {
        const match = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$/.exec(line);
        return match ? [{ action: match[1] as string, comment: match[2] ?? "" }] : [];
      });
    expect(references.length).toBeGreaterThan(0);
    for (const { action, comment } of references) {
      if (action.startsWith("./")) continue;
      const [, ref = ""] = action.split("@");
      if (/^[0-9a-f]{40}$/.test(ref)) expect(comment, action).toMatch(/^# v\d+\.\d+\.\d+$/);
      else expect(ref, `${action}: a full version, never a branch or a bare major`).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });

  it.each(WORKFLOWS)("%s reads the repository and nothing more, and bounds every job", (file) => {
    const parsed = workflow(file);
    expect(parsed.permissions).toEqual({ contents: "read" });
    for (const [id, job] of Object.entries(parsed.jobs)) {
      expect(job.permissions ?? {}, id).not.toBe("write-all");
      for (const level of Object.values(typeof job.permissions === "object" ? job.permissions : {})) {
        expect(level, id).not.toBe("write-all");
      }
      expect(job["timeout-minutes"], id).toBeGreaterThan(0);
      expect(job["timeout-minutes"], id).toBeLessThanOrEqual(60);
      expect(job["runs-on"], id).toMatch(/^ubuntu-\d+\.\d+$/);
    }
  });
});

const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

// Without shellcheck the scripts go unchecked here, but never under CI, where its absence fails the suite.
describe.skipIf(!shellcheck && !process.env.CI)(
  shellcheck ? "every run: script" : "every run: script (skipped: shellcheck is not installed)",
  () => {
    it.each(WORKFLOWS)("%s has scripts shellcheck passes, with no expressions spliced into them", (file) => {
      for (const job of Object.values(workflow(file).jobs)) {
        for (const script of runs(job)) {
          // Values reach scripts through env:, never as ${{ }} text a value could break out of.
          expect(script).not.toContain("${{");
          // GitHub runs `run:` with bash -e.
          const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
          expect(result.stdout, script).toBe("");
          expect(result.status).toBe(0);
        }
      }
    });
  },
);

describe("ci.yml", () => {
  const ci = workflow("ci.yml");
  const [job] = Object.values(ci.jobs);

  it("runs on pushes and pull requests, cancelling a superseded run of the same ref", () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(["push", "pull_request"]));
    expect(ci.concurrency?.group).toContain("github.ref");
    expect(ci.concurrency?.["cancel-in-progress"]).toBe(true);
  });

  it("installs from the lockfile, lints, typechecks and runs npm test", () => {
    const commands = runs(job);
    const install = commands.indexOf("pnpm install --frozen-lockfile");
    expect(install).toBeGreaterThanOrEqual(0);
    const after = commands.slice(install + 1);
    expect(after.some((command) => /\blint\b/.test(command))).toBe(true);
    expect(after.some((command) => /\btypecheck\b/.test(command))).toBe(true);
    expect(after.at(-1)).toBe("npm test");
  });

  it("uses the Node the images run", () => {
    const nodeVersion = repositoryDockerfile().globalArgs.get("NODE_VERSION");
    expect(String(usesOf(job, "actions/setup-node")?.with?.["node-version"])).toBe(nodeVersion);
  });

  it("tests against a real PostgreSQL service container", () => {
    const postgres = job?.services?.postgres;
    expect(postgres?.image).toMatch(/^postgres:\d+\.\d+/);
    expect(postgres?.ports).toContain("5432:5432");
    const { POSTGRES_USER, POSTGRES_PASSWORD } = postgres?.env ?? {};
    // The suite's admin URL (packages/testkit) points at that container with its credentials.
    const url = new URL(job?.env?.TEST_POSTGRES_URL ?? "");
    expect(url.port).toBe("5432");
    expect(url.username).toBe(POSTGRES_USER);
    expect(url.password).toBe(POSTGRES_PASSWORD);
    const testkit = readFileSync(join(REPO_ROOT, "packages", "testkit", "src", "database.ts"), "utf8");
    expect(testkit).toContain("process.env.TEST_POSTGRES_URL");
  });
});

describe("docr-build.yml", () => {
  const build = workflow("docr-build.yml");
  const [job] = Object.values(build.jobs);
  const pushStep = usesOf(job, "docker/build-push-action");

  it("runs on main and by hand, and never cancels a build halfway", () => {
    expect(build.on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(build.on)).toContain("workflow_dispatch");
    expect(build.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("builds exactly the Dockerfile's SERVICE values", () => {
    expect([...((job?.strategy?.matrix.service as string[] | undefined) ?? [])].sort()).toEqual(
      [...DEPLOYABLES].sort(),
    );
  });

  it("logs in to DigitalOcean's registry with doctl and short-lived credentials", () => {
    expect(usesOf(job, "digitalocean/action-doctl")?.with?.token).toBe(ex("secrets.DIGITALOCEAN_ACCESS_TOKEN"));
    expect(runs(job)).toContain("doctl registry login --expiry-seconds 1200");
    expect(usesOf(job, "docker/setup-buildx-action")).toBeDefined();
  });

  it("passes SERVICE and only build arguments the Dockerfile declares", () => {
    const model = repositoryDockerfile();
    const declared = new Set([
      ...model.globalArgs.keys(),
      ...model.stages.flatMap((stage) =>
        stage.steps.filter((step) => step.keyword === "ARG").flatMap((step) => step.properties.map((p) => p.name)),
      ),
    ]);
    const buildArgs = String(pushStep?.with?.["build-args"])
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2) as [string, string]);
    expect(buildArgs).toContainEqual(["SERVICE", ex("matrix.service")]);
    for (const [name] of buildArgs) expect(declared, name).toContain(name);
    expect(pushStep?.with?.file).toBe("Dockerfile");
    expect(pushStep?.with?.push).toBe(true);
  });

  it("tags each image with the commit SHA and latest in the registry, caching layers per service", () => {
    const image = job?.env?.IMAGE ?? "";
    const tags = String(pushStep?.with?.tags)
      .trim()
      .split("\n")
      .map((tag) => tag.replace(ex("env.IMAGE"), image));
    const repository = `registry.digitalocean.com/${ex("secrets.REGISTRY_NAME")}/${ex("matrix.service")}`;
    expect(tags).toEqual([`${repository}:\${{ github.sha }}`, `${repository}:latest`]);
    expect(pushStep?.with?.["cache-from"]).toBe(`type=gha,scope=${ex("matrix.service")}`);
    expect(pushStep?.with?.["cache-to"]).toMatch(/^type=gha,scope=\$\{\{ matrix\.service \}\}(,|$)/);
  });
});

describe("deploy.yml", () => {
  const deploy = workflow("deploy.yml");
  const staging = deploy.jobs.staging;
  const production = deploy.jobs.production;
  const deployScript = join(REPO_ROOT, "scripts", "deploy.sh");

  it("deploys staging after each successful build of main", () => {
    const trigger = deploy.on.workflow_run as { workflows: string[]; types: string[]; branches: string[] };
    expect(trigger.workflows).toEqual([workflow("docr-build.yml").name]);
    expect(trigger.types).toEqual(["completed"]);
    expect(trigger.branches).toEqual(["main"]);
    expect(staging?.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(staging?.env?.IMAGE_TAG).toBe(ex("github.event.workflow_run.head_sha"));
  });

  it("deploys production by hand or on a v* tag, behind the production environment", () => {
    expect(Object.keys(deploy.on)).toContain("workflow_dispatch");
    expect(deploy.on.push).toEqual({ tags: ["v*"] });
    expect(production?.if).toContain("workflow_dispatch");
    expect(production?.if).toContain("refs/tags/v");
    expect(production?.environment).toBe("production");
    expect(production?.env?.IMAGE_TAG).toContain("github.sha");
  });

  it("runs scripts/deploy.sh for each stage with the variables it reads", () => {
    expect(existsSync(deployScript)).toBe(true);
    expect(statSync(deployScript).mode & 0o111).not.toBe(0);
    const script = readFileSync(deployScript, "utf8");
    for (const [job, stage] of [
      [staging, "staging"],
      [production, "prod"],
    ] as const) {
      const step = steps(job).find((candidate) => candidate.run?.trim() === `scripts/deploy.sh ${stage}`);
      expect(step, stage).toBeDefined();
      const handed = [...Object.keys(step?.env ?? {}), ...Object.keys(job?.env ?? {})];
      expect(handed).toEqual(
        expect.arrayContaining(["DEPLOY_HOST", "DEPLOY_USER", "DEPLOY_PATH", "IMAGE_TAG", "DOCR_REGISTRY"]),
      );
      // The SSH key reaches the script as a file named in DEPLOY_SSH_KEY_FILE.
      expect(runs(job).join("\n")).toContain('DEPLOY_SSH_KEY_FILE=$RUNNER_TEMP/deploy_key" >> "$GITHUB_ENV"');
      for (const name of [...handed, "DEPLOY_SSH_KEY_FILE"]) expect(script, name).toContain(name);
      expect(step?.env?.DOCR_REGISTRY).toBe(`registry.digitalocean.com/${ex("secrets.REGISTRY_NAME")}`);
    }
  });

  it("never cancels a running deploy and runs one per environment at a time", () => {
    const groups = [staging, production].map((job) => {
      expect(job?.concurrency?.["cancel-in-progress"]).toBe(false);
      return job?.concurrency?.group;
    });
    expect(new Set(groups).size).toBe(2);
  });
});
