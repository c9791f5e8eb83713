import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type Attributes, context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { DatabaseTarget } from "./config.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The drizzle handle shared by both drivers; a transaction has the same type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/**
 * Runs a hand-written statement (`$1`… parameters; JSON as text) on the driver's fast path. On
 * PostgreSQL it is prepared once per connection, so each call is one round trip: postgres.js
 * describes an unprepared statement before binding it, which is two. Column values come back as the
 * driver reads them: select timestamps and bigints as text where both drivers must agree.
 */
export type Query = <Row = Record<string, unknown>>(text: string, params: readonly unknown[]) => Promise<Row[]>;

/** A statement and its parameters, for `Database.pipeline`. */
export type Statement = readonly [text: string, params: readonly unknown[]];

export interface Database {
  db: Db;
  kind: DatabaseTarget["kind"];
  /** A prepared statement on the fast path, for the few statements that are hot (see `Query`). */
  query: Query;
  /**
   * Runs `work` in one transaction on one connection, its statements on the same fast path;
   * commits when it resolves, rolls back when it throws. Keep it to database work: on PGlite the
   * transaction holds the only connection.
   */
  transaction: <T>(work: (query: Query) => Promise<T>) => Promise<T>;
  /**
   * Runs `statements` in order in one transaction and answers each one's rows. On PostgreSQL they
   * are pipelined — BEGIN, the statements and COMMIT sent at once, one round trip in all — so no
   * statement can depend on an earlier one's answer in the client (it can in SQL: each sees the
   * earlier ones' writes). When one fails, the rest are not applied and the whole batch throws.
   */
  pipeline: (statements: readonly Statement[]) => Promise<Record<string, unknown>[][]>;
  /** Round-trips a trivial query; what `/ready` checks. */
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

// PGlite's defaults size PostgreSQL for a server (128 MB of shared buffers, all resident); an
// embedded, single-user database needs a fraction of that.
const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...["-c", "shared_buffers=16MB", "-c", "work_mem=2MB", "-c", "maintenance_work_mem=8MB", "-c", "temp_buffers=1MB"],
];

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));
// Serialises migrations when several replicas start on one server at once.
const MIGRATION_LOCK_ID = 7_311_042_001;

const tracer = trace.getTracer("@devtools/db");

/**
 * Seconds before a closed connection reconnects. postgres.js counts failed connections for the whole
 * pool and waits up to 20 s by default: after one burst of dropped connections (a failover, an
 * administrator's pg_terminate_backend) a service would sit idle that long with the database back.
 * Two seconds at most, with jitter so that replicas do not reconnect in step.
 */
export const reconnectBackoffSeconds = (failures: number): number =>
  (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 2);

/** The statement's verb, as `db.operation.name` wants it (`SELECT`, `INSERT`, `WITH`…). */
function operationOf(text: string): string {
  return /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
}

/**
 * Runs `work` in a client span (database semantic conventions: `db.system.name`, `db.operation.name`,
 * the statement text, never its parameters). Only within traced work: the execution engine's
 * background polls would otherwise start a one-span trace each, several times a second.
 */
function traced<T>(operation: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!trace.getSpan(context.active())?.isRecording()) return work();
  return tracer.startActiveSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: { "db.system.name": "postgresql", "db.operation.name": operation, ...attributes },
    },
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.setAttribute("error.type", (error as { code?: string }).code ?? (error as Error).name);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The same database with a span around each statement, transaction and pipeline; `server` names
 * the PostgreSQL server (none for the embedded one).
 */
function withSpans(database: Database, server: Attributes): Database {
  const statement =
    (query: Query): Query =>
    (text, params) =>
      traced(operationOf(text), { ...server, "db.query.text": text }, () => query(text, params));
  return {
    ...database,
    query: statement(database.query),
    // The transaction's span is the parent of its statements' spans.
    transaction: (work) => traced("TRANSACTION", server, () => database.transaction((query) => work(statement(query)))),
    pipeline: (statements) =>
      traced("BATCH", { ...server, "db.operation.batch.size": statements.length }, () => database.pipeline(statements)),
  };
}

/** What a PostgreSQL server's spans say about it (its address, never the URL's credentials). */
function serverAttributes(url: string): Attributes {
  try {
    const { hostname, port, pathname } = new URL(url);
    return {
      "server.address": hostname,
      "server.port": Number(port || 5432),
      ...(pathname.length > 1 ? { "db.namespace": decodeURIComponent(pathname.slice(1)) } : {}),
    };
  } catch {
    return {};
  }
}

/** Opens the target and applies the committed migrations before returning. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === "postgres" ? openPostgres(target) : openPglite(target.dataDir);
}

async function openPostgres(target: Extract<DatabaseTarget, { kind: "postgres" }>): Promise<Database> {
  const options = { onnotice: () => {}, connection: { application_name: "devtools" } };
  const migrator = postgres(target.url, { ...options, max: 1 });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres({ client: migrator }), { migrationsFolder: MIGRATIONS_FOLDER });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await migrator.end();
  }
  const client = postgres(target.url, {
    ...options,
    max: target.poolSize,
    idle_timeout: 60,
    backoff: reconnectBackoffSeconds,
  });
  const db = drizzlePostgres({ client, schema });
  return withSpans(
    {
      db,
      kind: "postgres",
      query: async <Row>(text: string, params: readonly unknown[]) =>
        (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as Row[],
      transaction: async <T>(work: (query: Query) => Promise<T>) =>
        (await client.begin((sql) =>
          work(
            async <Row>(text: string, params: readonly unknown[]) =>
              (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as Row[],
          ),
        )) as T,
      pipeline: (statements) => pipelinePostgres(client, statements),
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    },
    serverAttributes(target.url),
  );
}

/**
 * BEGIN, the statements and COMMIT written to one reserved connection without waiting between them
 * (postgres.js pipelines what is queued on a connection). After a failure PostgreSQL refuses the
 * rest of the transaction and turns the COMMIT into a ROLLBACK, so nothing of the batch applies.
 */
async function pipelinePostgres(
  client: postgres.Sql,
  statements: readonly Statement[],
): Promise<Record<string, unknown>[][]> {
  const connection = await client.reserve();
  try {
    const begin = connection.unsafe("begin");
    const answers = statements.map(([text, params]) =>
      connection.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }),
    );
    const commit = connection.unsafe("commit");
    const settled = await Promise.allSettled([begin, ...answers, commit]);
    const failure = settled.find((outcome) => outcome.status === "rejected");
    if (failure) throw failure.reason;
    return settled
      .slice(1, -1)
      .map((outcome) => [...(outcome as PromiseFulfilledResult<postgres.RowList<postgres.Row[]>>).value]);
  } finally {
    connection.release();
  }
}

// Embedded databases open in this process, by folder: services hosted in one process (`npm start`)
// share one PGlite per folder rather than each paying for its own (about 140 MB of WebAssembly memory).
const openFolders = new Map<string, { opened: Promise<Database>; users: number }>();

async function openPglite(dataDir: string): Promise<Database> {
  // `memory://` and other URLs are private to their caller.
  if (dataDir.includes("://")) return openPgliteInstance(dataDir);
  const folder = resolve(dataDir);
  let entry = openFolders.get(folder);
  if (!entry) {
    entry = { opened: openPgliteInstance(folder), users: 0 };
    openFolders.set(folder, entry);
    entry.opened.catch(() => openFolders.delete(folder));
  }
  const shared = entry;
  shared.users += 1;
  const database = await shared.opened;
  let closed = false;
  return {
    ...database,
    close: async () => {
      if (closed) return;
      closed = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      openFolders.delete(folder);
      await database.close();
    },
  };
}

async function openPgliteInstance(dataDir: string): Promise<Database> {
  if (!dataDir.includes("://")) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir, { startParams: PGLITE_START_PARAMS });
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return withSpans(
    {
      db,
      kind: "pglite",
      query: async <Row>(text: string, params: readonly unknown[]) => (await client.query<Row>(text, [...params])).rows,
      transaction: <T>(work: (query: Query) => Promise<T>) =>
        client.transaction((tx) =>
          work(async <Row>(text: string, params: readonly unknown[]) => (await tx.query<Row>(text, [...params])).rows),
        ),
      pipeline: (statements) =>
        client.transaction(async (tx) => {
          const answers: Record<string, unknown>[][] = [];
          for (const [text, params] of statements)
            answers.push((await tx.query<Record<string, unknown>>(text, [...params])).rows);
          return answers;
        }),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.close(),
    },
    {},
  );
}
