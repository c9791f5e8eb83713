import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { waitFor } from "@devtools/testkit/poll";
import { freePort } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startContainerProcess } from "../src/container-process.ts";
import { copyBuildContext } from "../src/image/build-context.ts";
import { REPO_ROOT, repositoryDockerfile } from "../src/image/deployables.ts";
import { type ImageConfig, imageConfig } from "../src/image/image-config.ts";
import { type HostTools, offlineRunPolicy } from "../src/image/offline-run-policy.ts";
import { type ReplayedStage, replayBuild } from "../src/image/replay.ts";
import type { Deployable } from "../src/service-environments.ts";

// The Dockerfile's own steps, replayed without a container engine: the build context .dockerignore
// lets through, turbo prune, the offline production install from this machine's pnpm store, the
// sources over it, then the image's CMD started from that folder alone.

const model = repositoryDockerfile();
const hostEnv = {
  // The image's node: the same major, first on PATH, as `node` in CMD and HEALTHCHECK resolves.
  PATH: [dirname(process.execPath), join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH].join(":"),
  HOME: process.env.HOME,
  TMPDIR: process.env.TMPDIR,
};

function tool(command: string, args: string[]): string {
  const result = spawnSync(command, args, { env: hostEnv, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

function hostTools(): HostTools {
  const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { packageManager: string };
  return {
    turboVersion: tool("turbo", ["--version"]),
    pnpmVersion: tool("pnpm", ["--version"]),
    pinnedPnpmVersion: rootManifest.packageManager.replace(/^pnpm@/, "").split("+")[0] ?? "",
    // pnpm appends its store layout version (v10) to --store-dir itself.
    pnpmStoreDir: dirname(tool("pnpm", ["store", "path"])),
  };
}

function runHealthcheck(config: ImageConfig, env: Record<string, string | undefined>, cwd: string): number | null {
  const [command = "", ...args] = config.healthcheck?.command ?? [];
  return spawnSync(command, args, { cwd, env, timeout: 10_000 }).status;
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The pruned workspace's package manifests, by folder (the root's as "."). */
function workspaceManifests(appDir: string): { dir: string; manifest: Manifest }[] {
  return [
    ".",
    ...["packages", "services"].flatMap((folder) =>
      existsSync(join(appDir, folder)) ? readdirSync(join(appDir, folder)).map((name) => `${folder}/${name}`) : [],
    ),
  ].map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(appDir, dir, "package.json"), "utf8")) as Manifest }));
}

/** devDependencies of the image's workspace packages that no package needs in production. */
function devOnlyDependencies(appDir: string): Set<string> {
  const manifests = workspaceManifests(appDir).map(({ manifest }) => manifest);
  const production = new Set(manifests.flatMap((manifest) => Object.keys(manifest.dependencies ?? {})));
  return new Set(
    manifests
      .flatMap((manifest) => Object.keys(manifest.devDependencies ?? {}))
      .filter((name) => !production.has(name)),
  );
}

// The workspace's dev tools: nothing a service runs depends on them, so none may be in the image.
const DEV_TOOLS = ["vitest", "typescript", "@biomejs/biome", "turbo", "drizzle-kit"];

let workDir: string;
let contextDir: string;
let tools: HostTools;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "devtools-image-"));
  contextDir = join(workDir, "context");
  tools = hostTools();
  copyBuildContext(REPO_ROOT, contextDir);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the build context", () => {
  it("leaves out installed modules, local state, secrets, git and tests, and keeps the lockfile", () => {
    expect(existsSync(join(contextDir, "pnpm-lock.yaml"))).toBe(true);
    expect(existsSync(join(contextDir, "services", "gateway", "src", "main.ts"))).toBe(true);
    for (const left of [
      "node_modules",
      ".git",
      ".devtools",
      "compose",
      "services/gateway/test",
      "services/gateway/node_modules",
    ]) {
      expect(existsSync(join(contextDir, left)), left).toBe(false);
    }
  });
});

// One agent, the simulator, and the orchestrator (embedded PostgreSQL: migrations and PGlite must be in the image).
describe.each<Deployable>(["code-review", "inference-simulator", "orchestrator"])("the %s image", (service) => {
  const config = imageConfig(model, { SERVICE: service });
  let runtime: ReplayedStage;
  let appDir: string;

  beforeAll(() => {
    runtime = replayBuild(
      {
        model,
        buildArgs: { SERVICE: service },
        contextDir,
        workDir: join(workDir, service),
        run: offlineRunPolicy(tools),
        hostEnv,
      },
      undefined,
    );
    appDir = join(runtime.root, config.workdir);
  });

  it("holds production dependencies only", () => {
    const installed = readdirSync(join(appDir, "node_modules", ".pnpm"));
    const devOnly = devOnlyDependencies(appDir);
    // The check means something only if the workspace has dev tools to leave out.
    expect(devOnly).toContain("vitest");
    expect(devOnly).toContain("typescript");
    expect(devOnly).toContain("@biomejs/biome");
    // No workspace package links a devDependency (a library may still need one of the same name,
    // as protobufjs, under the OpenTelemetry SDK, needs @types/node)…
    for (const { dir, manifest } of workspaceManifests(appDir)) {
      for (const name of Object.keys(manifest.devDependencies ?? {}).filter((dev) => devOnly.has(dev))) {
        expect(existsSync(join(appDir, dir, "node_modules", name)), `${dir} links ${name}`).toBe(false);
      }
    }
    // …and the dev tools are nowhere in the image.
    for (const name of DEV_TOOLS) {
      const folder = `${name.replace("/", "+")}@`;
      expect(
        installed.filter((entry) => entry.startsWith(folder)),
        name,
      ).toEqual([]);
    }
  });

  it("reaches its workspace packages outside node_modules, where Node strips types", () => {
    const scope = join(appDir, "node_modules", "@devtools");
    const linked = existsSync(scope) ? readdirSync(scope) : [];
    for (const name of linked) {
      const real = realpathSync(join(scope, name));
      expect(real.startsWith(appDir), name).toBe(true);
      expect(real.includes("/node_modules/"), `${name} resolves to ${real}`).toBe(false);
    }
  });

  it("has no tests and a writable-state folder for the service", () => {
    expect(existsSync(join(appDir, ".data", service))).toBe(true);
    const leftovers = ["packages", "services"]
      .filter((folder) => existsSync(join(appDir, folder)))
      .flatMap((folder) =>
        readdirSync(join(appDir, folder)).filter((name) => existsSync(join(appDir, folder, name, "test"))),
      );
    expect(leftovers).toEqual([]);
  });

  it("starts from that folder alone, answers /health, passes its HEALTHCHECK and stops on SIGTERM", async () => {
    const [exposed] = config.exposedPorts;
    const portVariable = Object.keys(config.env).find((name) => config.env[name] === String(exposed));
    expect(portVariable).toBeDefined();
    const port = await freePort();
    // Exactly the image's environment, its port variable moved to a free port.
    const env = { HOME: hostEnv.HOME ?? "", ...config.env, [portVariable as string]: String(port) };
    const started = startContainerProcess(config.cmd ?? [], env, appDir);
    try {
      const health = await waitFor(
        async () => {
          if (started.child.exitCode !== null) throw new Error(`exited:\n${started.output.join("\n")}`);
          const response = await fetch(`http://127.0.0.1:${port}/health`);
          return response.ok ? response : undefined;
        },
        { timeoutMs: 45_000, what: `${service} /health` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${started.output.join("\n")}`);
      });
      if (service === "inference-simulator") {
        const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as { data: unknown[] };
        expect(models.data.length).toBeGreaterThan(0);
      } else {
        expect(await health.json()).toMatchObject({ status: "ok", service });
      }
      expect(runHealthcheck(config, { PATH: hostEnv.PATH, ...env }, appDir)).toBe(0);

      expect(await started.terminate(10_000)).toBe(0);
      // The same check must fail once nothing answers, or it would never mark a container unhealthy.
      expect(runHealthcheck(config, { PATH: hostEnv.PATH, ...env }, appDir)).not.toBe(0);
    } finally {
      if (started.child.exitCode === null) started.child.kill("SIGKILL");
    }
  });
});
