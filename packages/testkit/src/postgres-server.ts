import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import type { TestDatabase } from "./database.ts";
import { waitFor } from "./poll.ts";
import { freePort } from "./process.ts";

const run = promisify(execFile);

// Debian's server binaries, newest major version first; PG_BIN points elsewhere.
const DEBIAN_ROOT = "/usr/lib/postgresql";
const SERVER_USER = "postgres";

/** The folder holding `initdb` and `pg_ctl`, or undefined when this machine has no PostgreSQL server binaries. */
export function postgresBinaries(): string | undefined {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync(DEBIAN_ROOT)
      ? readdirSync(DEBIAN_ROOT)
          .filter((version) => /^\d+$/.test(version))
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => join(DEBIAN_ROOT, version, "bin"))
      : [];
  return candidates.find((bin) => existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")));
}

/** A PostgreSQL server of a test's own, which it may stop, crash and start again. */
export interface PostgresServer {
  port: number;
  /** The server's `postgres` database as a test database (it goes away with the server). */
  database: TestDatabase;
  /** Stops the server: `fast` as a clean shutdown, `immediate` as a crash (recovery runs at the next start). */
  stop: (mode?: "fast" | "immediate") => Promise<void>;
  /** Starts it again on the same port and data folder; resolves once it accepts connections. */
  start: () => Promise<void>;
  /** Stops it and removes its folder; safe to call twice. */
  close: () => Promise<void>;
}

/**
 * Runs a server binary. initdb refuses to run as root, so when the tests are root the server runs
 * as the `postgres` user (which owns the folder); otherwise as whoever runs the tests.
 */
function serverCommand(bin: string, tool: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot
    ? ["runuser", ["-u", SERVER_USER, "--", join(bin, tool), ...args]]
    : [join(bin, tool), args];
  return run(file, argv, { timeout: 60_000 });
}

/**
 * Creates a fresh cluster in a temporary folder (trust auth, sockets in that folder so nothing is
 * shared with the machine's own server) and starts it on a free port of 127.0.0.1. fsync is off: a
 * crash of the server (not of the machine) loses nothing, since its writes have reached the OS.
 * @throws when the binaries are missing (see `postgresBinaries`) or the server does not start.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(`no PostgreSQL server binaries under ${DEBIAN_ROOT}/*/bin (or PG_BIN)`);
  const root = await mkdtemp(join(tmpdir(), "devtools-postgres-"));
  const dataDir = join(root, "data");
  const port = await freePort();
  if (process.getuid?.() === 0) {
    const { stdout } = await run("id", ["-u", SERVER_USER]);
    const { stdout: group } = await run("id", ["-g", SERVER_USER]);
    await chown(root, Number(stdout.trim()), Number(group.trim()));
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const serverOptions = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c shared_buffers=32MB",
    "-c max_connections=100",
  ].join(" ");
  const pgCtl = (...args: string[]) => serverCommand(bin, "pg_ctl", ["-D", dataDir, ...args]);
  let running = false;

  const start = async () => {
    await pgCtl("-l", join(root, "server.log"), "-w", "-t", "30", "-o", serverOptions, "start");
    running = true;
    // pg_ctl -w waits for the postmaster; a connection proves the database answers too.
    await waitFor(
      async () => {
        const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
        try {
          await sql`select 1`;
          return true;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `the PostgreSQL server on port ${port} to answer` },
    );
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    if (!running) return;
    await pgCtl("-m", mode, "-w", "-t", "30", "stop");
    running = false;
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await stop("immediate").catch(() => {});
    await rm(root, { recursive: true, force: true });
  };

  try {
    await serverCommand(bin, "initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    port,
    database: {
      kind: "postgres",
      env: { DATABASE_URL: url },
      target: { kind: "postgres", url, poolSize: 10 },
      drop: async () => {},
    },
    stop,
    start,
    close,
  };
}

/**
 * Ends every other session connected to the database at `url`, as an operator's
 * `pg_terminate_backend` or a failover would; answers how many it ended.
 */
export async function terminateConnections(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ ended: number }[]>`
      select count(*) filter (where pg_terminate_backend(pid))::int as ended
      from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    return row?.ended ?? 0;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
