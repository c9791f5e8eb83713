// "Compose as processes": no container engine runs here, so the stack docker-compose.yml describes
// (the seven services plus the simulator of the sim profile) runs as plain processes, each with
// exactly the environment compose would give its container, and scripts/health-check.sh checks it.
// All processes share one host, and other tests run beside this one: compose service names are
// mapped to 127.0.0.1, and each service's port is moved to a free port, consistently in its PORT
// and in every URL that names it. PostgreSQL is the machine's real server, in a scratch database.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SERVICES } from "@devtools/contracts/services";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PORT_VARIABLE } from "../src/compose/cross-check.ts";
import { parseEnvFile, withValues } from "../src/compose/env-file.ts";
import { COMPOSE_FILES, ENV_EXAMPLE, REPO_ROOT } from "../src/compose/files.ts";
import { loadCompose } from "../src/compose/model.ts";
import { environmentOnOneHost } from "../src/compose/one-host-environment.ts";
import { type ContainerProcess, imageRuntime, startContainerProcess } from "../src/container-process.ts";
import { type Deployable, SERVICE_PORTS } from "../src/service-environments.ts";

const available = await postgresAvailable();
if (!available && process.env.CI) throw new Error("PostgreSQL is not reachable on 127.0.0.1:5432, and CI needs it");

const HEALTH_CHECK = `${REPO_ROOT}scripts/health-check.sh`;
const ENV_CHECK = `${REPO_ROOT}scripts/env-check.sh`;
const SERVICE_NAMES = Object.keys(SERVICES) as Deployable[];
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** compose/.env.example with test secrets in place of every __REPLACE_ME__ and the scratch database. */
function testEnvFile(database: string): string {
  const example = readFileSync(ENV_EXAMPLE, "utf8");
  const secrets: Record<string, string> = {};
  for (const entry of parseEnvFile(example).values()) {
    if (entry.value === "__REPLACE_ME__") secrets[entry.name] = entry.optional ? "" : hex(24);
  }
  return withValues(example, {
    ...secrets,
    TOKEN_ENCRYPTION_KEY: hex(32),
    POSTGRES_DB: database,
    POSTGRES_USER: "postgres",
  });
}

// The script uses curl, else wget, else node (inside the images): each that this machine has.
const CLIENTS = ["curl", "wget", "node"].filter(
  (client) => client === "node" || spawnSync(client, ["--version"]).status === 0,
);
// node is found through PATH, as in the images; the test's own node is the one to find.
const PATH_WITH_NODE = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;

function healthCheck(env: Record<string, string>, client = "curl") {
  const result = spawnSync("sh", [HEALTH_CHECK], {
    env: { PATH: PATH_WITH_NODE, HEALTH_CHECK_TIMEOUT: "5", HEALTH_CHECK_CLIENT: client, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, lines: result.stdout.trim().split("\n"), stderr: result.stderr };
}

describe.skipIf(!available)("docker-compose.yml run as processes (needs PostgreSQL on 127.0.0.1:5432)", () => {
  const folder = mkdtempSync(join(tmpdir(), "compose-processes-"));
  const processes = new Map<Deployable, ContainerProcess>();
  // Compose's default stop_grace_period; ours is longer, but a service draining for 10 s here is a fault.
  const stop = (name: Deployable) => processes.get(name)?.terminate(10_000);
  const urls = {} as Record<Deployable, string>;
  let database: TestDatabase | undefined;
  let envPath = "";

  const describeOutput = () =>
    [...processes].map(([name, running]) => `--- ${name}\n${running.output.slice(-15).join("\n")}`).join("\n");

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const databaseName = new URL(database.env.DATABASE_URL ?? "").pathname.slice(1);
    envPath = join(folder, ".env");
    writeFileSync(envPath, testEnvFile(databaseName));
    const env = Object.fromEntries(
      [...parseEnvFile(readFileSync(envPath, "utf8")).values()].map((e) => [e.name, e.value]),
    );
    const model = loadCompose([COMPOSE_FILES.base], env);

    const ports = {} as Record<Deployable, number>;
    for (const name of Object.keys(SERVICE_PORTS) as Deployable[]) {
      ports[name] = await freePort();
      urls[name] = `http://127.0.0.1:${ports[name]}`;
    }
    // A container's environment: the image's ENVs, then what compose gives it.
    const start = (name: Deployable) => {
      const image = imageRuntime(name);
      const env = { ...image.env, ...environmentOnOneHost(model, name, SERVICE_PORTS, ports, PORT_VARIABLE[name]) };
      processes.set(name, startContainerProcess(image.command, env));
    };
    const answers = (name: Deployable, path: string) =>
      waitFor(
        async () => {
          const child = processes.get(name)?.child;
          if (child?.exitCode !== null) throw new Error(`${name} exited:\n${describeOutput()}`);
          return (await fetch(`${urls[name]}${path}`)).ok ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `${name} ${path}` },
      );

    // compose's depends_on order: the orchestrator migrates the database before the gateway starts.
    start("inference-simulator");
    start("orchestrator");
    await Promise.all([answers("inference-simulator", "/health"), answers("orchestrator", "/ready")]);
    for (const name of SERVICE_NAMES) if (name !== "orchestrator") start(name);
    await Promise.all(SERVICE_NAMES.map((name) => answers(name, "/ready")));
  });

  afterAll(async () => {
    await Promise.all([...processes.keys()].map(stop));
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it("gives each process what compose gives its container (names mapped to 127.0.0.1, ports moved)", () => {
    const gateway = processes.get("gateway");
    expect(gateway?.child.spawnargs.slice(1)).toEqual(imageRuntime("gateway").command.slice(1));
    const model = loadCompose(
      [COMPOSE_FILES.base],
      Object.fromEntries([...parseEnvFile(readFileSync(envPath, "utf8")).values()].map((e) => [e.name, e.value])),
    );
    const moved = environmentOnOneHost(model, "orchestrator", SERVICE_PORTS, SERVICE_PORTS, "PORT");
    expect(moved.FEATURE_DEV_URL).toBe(`http://127.0.0.1:${SERVICE_PORTS["feature-dev"]}`);
    expect(moved.POSTGRES_HOST).toBe("127.0.0.1");
    expect(Object.keys(moved).sort()).toEqual(Object.keys(model.services.orchestrator?.environment ?? {}).sort());
  });

  it("builds a .env from .env.example that scripts/env-check.sh accepts", () => {
    const result = spawnSync("sh", [ENV_CHECK, envPath, ENV_EXAMPLE], { encoding: "utf8" });
    expect(result.stdout).toContain("✅");
    expect(result.status).toBe(0);
  });

  it.each(CLIENTS)("passes scripts/health-check.sh with %s: every service ✅, exit 0", (client) => {
    const env = Object.fromEntries(
      SERVICE_NAMES.map((name) => [SERVICES[name as keyof typeof SERVICES].urlVariable, urls[name]]),
    );
    const result = healthCheck(env, client);
    expect(result.lines, `${result.lines.join("\n")}\n${describeOutput()}`).toEqual([
      ...SERVICE_NAMES.map((name) => `✅ ${name}`),
      "✅ all 7 services healthy and ready",
    ]);
    expect(result.status).toBe(0);
  });

  it("names the one stopped service ❌ and exits non-zero", async () => {
    await stop("code-review");
    const env = Object.fromEntries(
      SERVICE_NAMES.map((name) => [SERVICES[name as keyof typeof SERVICES].urlVariable, urls[name]]),
    );
    for (const client of CLIENTS) {
      const result = healthCheck(env, client);
      expect(result.lines, client).toContain(`❌ code-review: no answer from ${urls["code-review"]}/health`);
      for (const name of SERVICE_NAMES.filter((name) => name !== "code-review"))
        expect(result.lines, client).toContain(`✅ ${name}`);
      expect(result.lines.at(-1), client).toBe("❌ 1 of 7 services failed");
      expect(result.status, client).toBe(1);
    }
  });

  it("reports an agent whose inference backend is gone as not ready", async () => {
    await stop("inference-simulator");
    const env = Object.fromEntries(
      SERVICE_NAMES.map((name) => [SERVICES[name as keyof typeof SERVICES].urlVariable, urls[name]]),
    );
    for (const client of CLIENTS) {
      const result = healthCheck(env, client);
      expect(result.lines, client).toContain("❌ feature-dev: not ready (inference)");
      expect(result.lines, client).toContain("✅ orchestrator");
      expect(result.status, client).toBe(1);
    }
  });
});
