import { randomBytes } from "node:crypto";
import postgres from "postgres";

export type TestDatabaseKind = "pglite" | "postgres";

export type TestDatabase = {
  kind: TestDatabaseKind;
  /** Environment that points a service (or `databaseTargetFrom`) at this database. */
  env: Record<string, string>;
  target: { kind: "postgres"; url: string; poolSize: number } | { kind: "pglite"; dataDir: string };
  drop: () => Promise<void>;
};

// The machine's PostgreSQL (trust auth); TEST_POSTGRES_URL points elsewhere.
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let postgresAnswers: Promise<boolean> | undefined;

/** Whether the real PostgreSQL answers; asked once per process. */
export function postgresAvailable(): Promise<boolean> {
  postgresAnswers ??= (async () => {
    const sql = postgres(ADMIN_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  })();
  return postgresAnswers;
}

/** The kinds database tests run on: PGlite always, PostgreSQL when it answers. */
export async function testDatabaseKinds(): Promise<TestDatabaseKind[]> {
  return (await postgresAvailable()) ? ["pglite", "postgres"] : ["pglite"];
}

/** A fresh, empty database of `kind`, so no test sees rows another left. */
export async function createTestDatabase(kind: TestDatabaseKind, dataDir?: string): Promise<TestDatabase> {
  if (kind === "pglite") {
    const dir = dataDir ?? "memory://";
    return { kind, env: { DATA_DIR: dir }, target: { kind, dataDir: dir }, drop: async () => {} };
  }
  const name = `devtools_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString() },
    target: { kind, url: url.toString(), poolSize: 10 },
    drop: async () => {
      const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end();
    },
  };
}
