import { z } from "zod";

/** Where a service's data lives: a PostgreSQL server, or an embedded PGlite folder (`memory://` for none). */
export type DatabaseTarget = { kind: "postgres"; url: string; poolSize: number } | { kind: "pglite"; dataDir: string };

/** The deployment guide's database variables; merge into a service's environment schema. */
export const databaseEnvironment = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" }).optional(),
  POSTGRES_HOST: z.string().min(1).optional(),
  POSTGRES_PORT: z.coerce.number().int().min(1).max(65_535).default(5432),
  POSTGRES_DB: z.string().min(1).default("devtools"),
  POSTGRES_USER: z.string().min(1).default("postgres"),
  POSTGRES_PASSWORD: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Folder for the embedded database when no server is configured. */
  DATA_DIR: z.string().min(1).optional(),
});
export type DatabaseEnvironment = z.infer<typeof databaseEnvironment>;

/** DATABASE_URL wins, then POSTGRES_HOST and friends, else PGlite under DATA_DIR (or `.data/<service>`). */
export function databaseTargetFrom(env: DatabaseEnvironment, service: string): DatabaseTarget {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
  if (env.POSTGRES_HOST) {
    const url = new URL("postgres://placeholder");
    url.hostname = env.POSTGRES_HOST;
    url.port = String(env.POSTGRES_PORT);
    url.pathname = `/${encodeURIComponent(env.POSTGRES_DB)}`;
    url.username = encodeURIComponent(env.POSTGRES_USER);
    if (env.POSTGRES_PASSWORD) url.password = encodeURIComponent(env.POSTGRES_PASSWORD);
    return { kind: "postgres", url: url.toString(), poolSize: env.DATABASE_POOL_SIZE };
  }
  return { kind: "pglite", dataDir: env.DATA_DIR ?? `.data/${service}` };
}

/** The target's address without its password, for logs. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `pglite:${target.dataDir}`;
  const url = new URL(target.url);
  if (url.password) url.password = "***";
  return url.toString();
}
