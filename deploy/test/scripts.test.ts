// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} here is Compose or shell syntax, not a template.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnvFile, withValues } from "../src/compose/env-file.ts";
import { ENV_EXAMPLE, REPO_ROOT } from "../src/compose/files.ts";

const SCRIPTS = `${REPO_ROOT}scripts/`;
const scripts = readdirSync(SCRIPTS).filter((name) => name.endsWith(".sh"));
// Sourced by the scripts, not run: shellchecked on their own too.
const libraries = readdirSync(`${SCRIPTS}lib`).map((name) => `lib/${name}`);
const work = mkdtempSync(join(tmpdir(), "devtools-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
if (!hasShellcheck && process.env.CI) throw new Error("shellcheck is not installed, and CI needs it");

function run(script: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync("sh", [`${SCRIPTS}${script}`, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: work, ...env },
    encoding: "utf8",
    input: input ?? "",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: result.stdout + result.stderr };
}

/** compose/.env.example with every __REPLACE_ME__ filled in: what an operator's finished .env looks like. */
function completeEnv(overrides: Record<string, string> = {}): string {
  const example = readFileSync(ENV_EXAMPLE, "utf8");
  const filled = Object.fromEntries(
    [...parseEnvFile(example).values()]
      .filter((entry) => entry.value === "__REPLACE_ME__")
      .map((entry) => [entry.name, randomBytes(16).toString("hex")]),
  );
  return withValues(example, { ...filled, ...overrides });
}

function writeTemp(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** An executable shell stub on a PATH of its own, standing in for a command the test must not run. */
function stub(folder: string, name: string, body: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(folder, name), 0o755);
}

describe.skipIf(!hasShellcheck)("shellcheck (needs /usr/bin/shellcheck)", () => {
  it("finds the five operations scripts", () => {
    expect(scripts.sort()).toEqual(["backup.sh", "deploy.sh", "env-check.sh", "health-check.sh", "restore.sh"]);
  });

  it.each(scripts)("%s is POSIX sh that passes shellcheck with no finding at any level", (script) => {
    const text = readFileSync(`${SCRIPTS}${script}`, "utf8");
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    expect(text).toMatch(/^set -eu$/m);
    // -x follows what a script sources, so its libraries are checked as the script uses them.
    const result = spawnSync("shellcheck", ["-x", "--shell=sh", "--severity=style", `${SCRIPTS}${script}`], {
      encoding: "utf8",
    });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(libraries)("%s passes shellcheck on its own", (library) => {
    expect(readFileSync(`${SCRIPTS}${library}`, "utf8").startsWith("# shellcheck shell=sh\n")).toBe(true);
    const result = spawnSync("shellcheck", ["--severity=style", `${SCRIPTS}${library}`], { encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("env-check.sh", () => {
  it("passes a complete .env, allowing optional variables to be empty", () => {
    const env = writeTemp("complete.env", completeEnv({ LINEAR_API_KEY: "", CORS_ORIGINS: "" }));
    const result = run("env-check.sh", [env, ENV_EXAMPLE]);
    expect(result.output).toMatch(/^✅ .* defines the \d+ variables of the example \(0 warning\(s\)\)$/m);
    expect(result.status).toBe(0);
  });

  it("names a missing variable, a __REPLACE_ME__ left in, an emptied value and a stale one, and fails", () => {
    const secret = "s3cr3t-value-never-printed";
    const text = `${completeEnv({ INTERNAL_TOKEN: "__REPLACE_ME__", LOG_LEVEL: "", POSTGRES_PASSWORD: secret })
      .split("\n")
      .filter((line) => !line.startsWith("POSTGRES_DB="))
      .join("\n")}\nOLD_ORCHESTRATOR_PORT=8001\n`;
    const result = run("env-check.sh", [writeTemp("broken.env", text), ENV_EXAMPLE]);
    expect(result.stdout).toContain("❌ missing: POSTGRES_DB");
    expect(result.stdout).toContain("❌ unfilled: INTERNAL_TOKEN is still __REPLACE_ME__");
    expect(result.stdout).toContain("❌ empty: LOG_LEVEL is empty");
    expect(result.stdout).toContain("⚠️  stale: OLD_ORCHESTRATOR_PORT");
    expect(result.stdout).toContain("❌ 3 problem(s) would break a deploy");
    expect(result.output).not.toContain(secret);
    expect(result.status).toBe(1);
  });

  it("does not let an optional secret keep its placeholder", () => {
    const result = run("env-check.sh", [
      writeTemp("optional.env", completeEnv({ LINEAR_API_KEY: "__REPLACE_ME__" })),
      ENV_EXAMPLE,
    ]);
    expect(result.stdout).toContain("❌ unfilled: LINEAR_API_KEY");
    expect(result.status).toBe(1);
  });

  it("warns about stale variables without failing", () => {
    const result = run("env-check.sh", [writeTemp("stale.env", `${completeEnv()}\nMCP_CONFIG_PATH=/x\n`), ENV_EXAMPLE]);
    expect(result.stdout).toContain("⚠️  stale: MCP_CONFIG_PATH");
    expect(result.stdout).toContain("(1 warning(s))");
    expect(result.status).toBe(0);
  });

  it("refuses a missing file or too many arguments with its usage", () => {
    for (const args of [[join(work, "nope.env")], ["a", "b", "c"]]) {
      const result = run("env-check.sh", args);
      expect(result.stderr).toContain("usage:");
      expect(result.status).toBe(2);
    }
  });
});

describe("backup.sh, restore.sh and deploy.sh refuse wrong arguments", () => {
  const deployEnv = { DEPLOY_HOST: "h", DEPLOY_USER: "u", DEPLOY_PATH: "/srv/devtools", IMAGE_TAG: "abc123" };
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["backup.sh", [], {}, /usage: .*backup\.sh DESTINATION/],
    ["backup.sh", ["a", "b"], {}, /usage:/],
    ["backup.sh", ["--destination"], {}, /usage:/],
    ["restore.sh", [], {}, /usage: .*restore\.sh \[--yes\] BACKUP_FOLDER/],
    ["restore.sh", ["--yes", "/definitely/not/here"], {}, /is not a folder[\s\S]*usage:/],
    ["restore.sh", ["--yes", "."], {}, /has no database\.dump[\s\S]*usage:/],
    ["deploy.sh", [], deployEnv, /usage: .*deploy\.sh <staging\|prod>/],
    ["deploy.sh", ["production"], deployEnv, /usage:/],
    ["deploy.sh", ["staging", "extra"], deployEnv, /usage:/],
    ["deploy.sh", ["staging"], { DEPLOY_HOST: "h" }, /not set: DEPLOY_USER DEPLOY_PATH IMAGE_TAG[\s\S]*usage:/],
    ["deploy.sh", ["prod"], { ...deployEnv, IMAGE_TAG: "x;reboot" }, /IMAGE_TAG "x;reboot" is not a Docker tag/],
    ["deploy.sh", ["prod"], { ...deployEnv, DOCR_REGISTRY: "$(id)" }, /is not a registry path/],
    ["deploy.sh", ["prod"], { ...deployEnv, DEPLOY_HEALTH_TIMEOUT: "soon" }, /positive integers/],
  ];
  it.each(cases)("%s %j refuses", (script, args, env, message) => {
    const result = run(script, args, env);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
  });

  it("restore.sh refuses without --yes when no one can answer", () => {
    const folder = join(work, "devtools-20250101T000000Z");
    mkdirSync(folder, { recursive: true });
    for (const file of ["database.dump", "MANIFEST"]) writeFileSync(join(folder, file), file);
    spawnSync("sh", ["-c", "sha256sum database.dump MANIFEST > SHA256SUMS"], { cwd: folder });
    const env = writeTemp("restore.env", completeEnv());
    const result = run("restore.sh", [folder], { ENV_FILE: env });
    expect(result.stderr).toContain("pass --yes to confirm");
    expect(result.status).toBe(2);
  });

  it("restore.sh refuses a damaged backup before touching anything", () => {
    const folder = join(work, "devtools-20250101T000001Z");
    mkdirSync(folder, { recursive: true });
    for (const file of ["database.dump", "MANIFEST"]) writeFileSync(join(folder, file), file);
    spawnSync("sh", ["-c", "sha256sum database.dump MANIFEST > SHA256SUMS"], { cwd: folder });
    writeFileSync(join(folder, "database.dump"), "changed");
    const result = run("restore.sh", ["--yes", folder]);
    expect(result.stderr).toContain("checksums do not match");
    expect(result.status).toBe(1);
  });
});

describe("deploy.sh over SSH, with ssh and docker replaced by recording stubs", () => {
  // ssh runs its remote command here, in a shell, as the host would; docker records each call with
  // the IMAGE_TAG it was given, and its health check (compose exec … gateway) fails for FAKE_UNHEALTHY_TAG.
  const bin = join(work, "deploy-bin");
  stub(
    bin,
    "ssh",
    [
      'printf "ssh %s\\n" "$*" >>"$FAKE_LOG"',
      // Like ssh: options, the destination, then every remaining word joined into the remote command.
      'while [ "$#" -gt 0 ]; do case "$1" in -i | -o | -p) shift 2 ;; *@*) shift; break ;; *) shift ;; esac; done',
      'exec sh -c "$*"',
    ].join("\n"),
  );
  stub(
    bin,
    "docker",
    [
      'printf "IMAGE_TAG=%s docker %s\\n" "${IMAGE_TAG:-}" "$*" >>"$FAKE_LOG"',
      'case " $* " in',
      '  *" ps -q gateway "*) [ -n "${FAKE_RUNNING_TAG:-}" ] && echo 3f2a9c; exit 0 ;;',
      '  *" inspect "*) echo "registry.digitalocean.com/the-shop/gateway:$FAKE_RUNNING_TAG"; exit 0 ;;',
      '  *" exec "*)',
      "    script=$(cat)",
      '    case "$script" in *"check gateway"*) ;; *) echo "not the health check"; exit 3 ;; esac',
      '    if [ "${IMAGE_TAG:-}" = "${FAKE_UNHEALTHY_TAG:-}" ]; then echo "❌ orchestrator: not ready (database)"; exit 1; fi',
      '    echo "✅ all 7 services healthy and ready"; exit 0 ;;',
      "esac",
      "exit 0",
    ].join("\n"),
  );

  function deploy(
    stage: string,
    options: { unhealthy?: string; running?: string; env?: string; extra?: Record<string, string> },
  ) {
    const host = mkdtempSync(join(work, "host-"));
    mkdirSync(join(host, "compose"));
    writeFileSync(join(host, "compose/.env"), options.env ?? completeEnv({ IMAGE_TAG: "0ld7a9" }));
    const log = join(host, "calls.log");
    writeFileSync(log, "");
    const result = run("deploy.sh", [stage], {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_LOG: log,
      FAKE_UNHEALTHY_TAG: options.unhealthy ?? "",
      FAKE_RUNNING_TAG: options.running ?? "",
      DEPLOY_HOST: "staging.example.com",
      DEPLOY_USER: "deploy",
      DEPLOY_PATH: host,
      IMAGE_TAG: "n3w5ha",
      DOCR_REGISTRY: "registry.digitalocean.com/the-shop",
      DEPLOY_HEALTH_TIMEOUT: "2",
      DEPLOY_HEALTH_INTERVAL: "1",
      ...options.extra,
    });
    const calls = readFileSync(log, "utf8").trim().split("\n");
    const envAfter = parseEnvFile(readFileSync(join(host, "compose/.env"), "utf8"));
    return { ...result, host, calls, envAfter };
  }

  it("rolls back to the running IMAGE_TAG when the new one does not become healthy, and fails", () => {
    const result = deploy("staging", { unhealthy: "n3w5ha", running: "0ld7a9" });
    const compose = "docker compose --env-file compose/.env -f compose/docker-compose.yml";
    const ups = result.calls.filter((call) => call.includes(`${compose} up -d`));
    expect(result.calls).toContain(`IMAGE_TAG=n3w5ha ${compose} pull --quiet`);
    expect(ups).toEqual([
      `IMAGE_TAG=n3w5ha ${compose} up -d --remove-orphans`,
      `IMAGE_TAG=0ld7a9 ${compose} up -d --remove-orphans`,
    ]);
    expect(result.calls.indexOf(ups[0] ?? "")).toBeGreaterThan(
      result.calls.indexOf(`IMAGE_TAG=n3w5ha ${compose} pull --quiet`),
    );
    expect(result.stdout).toContain("↩ rolling back to 0ld7a9");
    expect(result.stdout).toContain("↩ rolled back: staging runs 0ld7a9 again and is healthy");
    expect(result.envAfter.get("IMAGE_TAG")?.value).toBe("0ld7a9");
    expect(result.status).toBe(1);
  });

  it("deploys, checks health inside the gateway container and keeps the new tag when healthy", () => {
    const result = deploy("staging", { running: "0ld7a9" });
    expect(result.calls[0]).toBe(
      `ssh -o BatchMode=yes -o ConnectTimeout=20 -p 22 deploy@staging.example.com mkdir -p '${result.host}' && tar -xf - -C '${result.host}'`,
    );
    expect(
      result.calls.some((call) => call.includes("exec -T -e MCP_GATEWAY_URL=http://127.0.0.1:8000 gateway sh -s")),
    ).toBe(true);
    expect(result.calls.filter((call) => call.includes(" up -d"))).toHaveLength(1);
    expect(result.stdout).toContain("✅ staging runs n3w5ha");
    expect(result.envAfter.get("IMAGE_TAG")?.value).toBe("n3w5ha");
    // The checkout's compose files and scripts were copied; the host's own .env was not replaced.
    expect(existsSync(join(result.host, "compose/docker-compose.prod.yml"))).toBe(true);
    expect(existsSync(join(result.host, "scripts/health-check.sh"))).toBe(true);
    expect(result.envAfter.get("INTERNAL_TOKEN")?.value).not.toBe("__REPLACE_ME__");
    expect(result.status).toBe(0);
  });

  it("deploys prod with the production file and the given SSH key", () => {
    const key = writeTemp("deploy_key", "not a real key\n");
    const result = deploy("prod", { running: "0ld7a9", extra: { DEPLOY_SSH_KEY_FILE: key } });
    expect(result.calls[0]).toContain(`ssh -i ${key} -o IdentitiesOnly=yes`);
    expect(result.calls).toContain(
      "IMAGE_TAG=n3w5ha docker compose --env-file compose/.env -f compose/docker-compose.yml -f compose/docker-compose.prod.yml up -d --remove-orphans",
    );
    expect(result.status).toBe(0);
  });

  it("stops before pulling when the host's .env fails the env check", () => {
    const result = deploy("prod", { env: completeEnv({ INTERNAL_TOKEN: "__REPLACE_ME__" }) });
    expect(result.stdout).toContain("❌ unfilled: INTERNAL_TOKEN");
    expect(result.calls.some((call) => call.includes(" pull"))).toBe(false);
    expect(result.status).toBe(1);
  });

  it("fails without a rollback when there is no earlier tag to go back to", () => {
    const result = deploy("staging", { unhealthy: "n3w5ha", env: completeEnv({ IMAGE_TAG: "n3w5ha" }) });
    expect(result.stdout).toContain("no previous IMAGE_TAG to roll back to");
    expect(result.calls.filter((call) => call.includes(" up -d"))).toHaveLength(1);
    expect(result.status).toBe(1);
  });
});

const hasPgTools = ["pg_dump", "pg_restore", "psql"].every((tool) => spawnSync(tool, ["--version"]).status === 0);
const postgresUp =
  hasPgTools &&
  spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", "select 1"]).status === 0;

describe.skipIf(!postgresUp)("backup.sh then restore.sh round trip (needs PostgreSQL and its client tools)", () => {
  // docker stands in for the host: `compose exec postgres sh -c …` runs the command against the real
  // server in a scratch database, and `docker run -v volume:/volume …` maps each volume to a folder.
  const bin = join(work, "backup-bin");
  const volumes = join(work, "volumes");
  const database = `devtools_backup_${randomBytes(5).toString("hex")}`;
  stub(
    bin,
    "docker",
    [
      'printf "docker %s\\n" "$*" >>"$FAKE_LOG"',
      'case "$1" in',
      "  compose)",
      "    shift",
      '    while [ "$#" -gt 0 ]; do case "$1" in --env-file | -f) shift 2 ;; *) break ;; esac; done',
      "    sub=$1; shift",
      '    case "$sub" in',
      '      exec) [ "$1" = -T ] && shift; shift; POSTGRES_USER=postgres POSTGRES_DB="$FAKE_DB" PGHOST=127.0.0.1 exec "$@" ;;',
      "      *) exit 0 ;;",
      "    esac ;;",
      '  volume) case "$2" in inspect) [ -d "$FAKE_VOLUMES/$3" ] ;; create) mkdir -p "$FAKE_VOLUMES/$3" ;; esac; exit ;;',
      "  run)",
      "    shift; volume=''; backup=''",
      '    while [ "$#" -gt 0 ]; do',
      '      case "$1" in',
      "        --rm | -i) shift ;;",
      "        -e) shift 2 ;;",
      '        -v) case "$2" in *:/volume*) volume=$FAKE_VOLUMES/${2%%:*} ;; *:/backup*) backup=${2%%:*} ;; esac; shift 2 ;;',
      "        *) break ;;",
      "      esac",
      "    done",
      "    shift",
      '    for arg; do set -- "$@" "$(printf %s "$arg" | sed -e "s#/volume#$volume#g" -e "s#/backup#$backup#g")"; shift; done',
      '    exec "$@" ;;',
      "esac",
    ].join("\n"),
  );
  const psql = (sql: string) =>
    spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql], { encoding: "utf8" });

  afterAll(() => {
    spawnSync("psql", [
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-c",
      `drop database if exists ${database} with (force)`,
    ]);
  });

  it("saves the database and the volumes into a timestamped folder and puts them back", () => {
    spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `create database ${database}`]);
    expect(psql("create table api_keys (name text); insert into api_keys values ('ci')").status).toBe(0);
    mkdirSync(join(volumes, "devtools_mcp-config"), { recursive: true });
    writeFileSync(join(volumes, "devtools_mcp-config/state.json"), '{"kept":true}');
    const deployed = mkdtempSync(join(work, "deployed-"));
    cpSync(`${REPO_ROOT}scripts`, join(deployed, "scripts"), { recursive: true });
    mkdirSync(join(deployed, "compose"));
    writeFileSync(join(deployed, "compose/.env"), completeEnv({ IMAGE_TAG: "b4ckup" }));
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_LOG: join(work, "backup.log"),
      FAKE_DB: database,
      FAKE_VOLUMES: volumes,
    };
    const sh = (args: string[]) =>
      spawnSync("sh", args, { cwd: deployed, env: { ...env, HOME: work }, encoding: "utf8", timeout: 60_000 });

    const backup = sh([join(deployed, "scripts/backup.sh"), join(work, "backups")]);
    expect(backup.stderr + backup.stdout).toContain("✅ backup in");
    expect(backup.stdout).toContain("→ volume orchestrator-data: skipped");
    const [folder] = readdirSync(join(work, "backups"));
    expect(folder).toMatch(/^devtools-\d{8}T\d{6}Z$/);
    const saved = join(work, "backups", folder ?? "");
    expect(readdirSync(saved).sort()).toEqual(["MANIFEST", "SHA256SUMS", "database.dump", "volumes"]);
    expect(readFileSync(join(saved, "MANIFEST"), "utf8")).toContain("image_tag: b4ckup");
    expect(backup.status).toBe(0);

    expect(psql("delete from api_keys").status).toBe(0);
    writeFileSync(join(volumes, "devtools_mcp-config/state.json"), "overwritten");
    writeFileSync(join(volumes, "devtools_mcp-config/stray"), "left over");

    const restore = sh([join(deployed, "scripts/restore.sh"), "--yes", saved]);
    expect(restore.stdout, restore.stderr).toContain("✅ restored");
    expect(restore.status).toBe(0);
    expect(psql("select name from api_keys").stdout.trim()).toBe("ci");
    expect(readFileSync(join(volumes, "devtools_mcp-config/state.json"), "utf8")).toBe('{"kept":true}');
    expect(existsSync(join(volumes, "devtools_mcp-config/stray"))).toBe(false);
    const calls = readFileSync(join(work, "backup.log"), "utf8");
    expect(calls).toMatch(
      /compose .* stop gateway orchestrator feature-dev code-review infrastructure cicd documentation/,
    );
    expect(calls).toMatch(/compose .* start gateway orchestrator/);
  });
});
