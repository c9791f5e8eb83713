// The machine a report was measured on, read at run time: CPU, cores, memory, kernel, load, and the
// versions of everything under test (Node, the pinned libraries, PostgreSQL, Python and FastAPI's stack).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { ADMIN_URL, postgres } from "../support/databases.mjs";
import { ROOT } from "../support/processes.mjs";
import { PYTHON } from "../support/servers.mjs";
import { table } from "./markdown.mjs";

/** The libraries on the measured paths, as pinned in the workspace catalog (pnpm-workspace.yaml). */
const LIBRARIES = ["hono", "@hono/node-server", "zod", "drizzle-orm", "postgres", "pino", "undici", "openai", "vitest"];

function catalogVersions() {
  const text = readFileSync(`${ROOT}pnpm-workspace.yaml`, "utf8");
  const versions = {};
  for (const match of text.matchAll(/^ {2}"?([^":\s]+)"?: (\S+)$/gm)) versions[match[1]] = match[2];
  return Object.fromEntries(LIBRARIES.map((name) => [name, versions[name] ?? "?"]));
}

function cpuModel() {
  const model = os.cpus()[0]?.model?.trim();
  try {
    const flags = readFileSync("/proc/cpuinfo", "utf8");
    if (/^flags\s*:.*\bhypervisor\b/m.test(flags)) return `${model} (virtual machine)`;
  } catch {
    // Not Linux.
  }
  return model ?? "unknown";
}

async function postgresFacts() {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [{ version }] = await sql`select version()`;
    const settings = await sql`
      select name, current_setting(name) as setting from pg_settings
      where name in ('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections') order by name`;
    const shown = settings.map((row) => `${row.name}=${row.setting}`).join(", ");
    return `${version.split(" on ")[0]}; ${shown}`;
  } catch (error) {
    return `not reachable at ${new URL(ADMIN_URL).host} (${error.message})`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function pythonFacts() {
  const script = [
    "import sys, importlib",
    "names = ['fastapi', 'starlette', 'pydantic', 'uvicorn', 'asyncpg']",
    "found = [f'{n} {importlib.import_module(n).__version__}' for n in names]",
    "print(f'Python {sys.version.split()[0]} ({sys.executable}), ' + ', '.join(found))",
  ].join("\n");
  try {
    return execFileSync(PYTHON, ["-c", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return `${PYTHON} with fastapi, starlette, pydantic, uvicorn and asyncpg not found`;
  }
}

/** The machine's facts, `{ label: text }`. */
export async function machineFacts() {
  const [one, five] = os.loadavg();
  const autocannon = JSON.parse(readFileSync(`${ROOT}bench/package.json`, "utf8")).dependencies.autocannon;
  return {
    CPU: `${cpuModel()}, ${os.availableParallelism()} logical cores (\`nproc\`), ${os.arch()}`,
    Memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    Kernel: `${os.type()} ${os.release()}`,
    "Load average at start": `${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)`,
    Node: process.version,
    Libraries: Object.entries(catalogVersions())
      .map(([name, version]) => `${name} ${version}`)
      .join(", "),
    PostgreSQL: await postgresFacts(),
    "FastAPI baseline": pythonFacts(),
    "Load generator": `autocannon ${autocannon}, in the benchmark's own Node process`,
  };
}

export const machineTable = (facts) =>
  table(
    ["", ""],
    Object.entries(facts).map(([label, text]) => [label, text]),
  );
