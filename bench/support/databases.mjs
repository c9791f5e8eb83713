// Fresh PostgreSQL databases for a benchmark run, dropped at the end whatever happens.

import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { ROOT } from "./processes.mjs";

// postgres.js is taken from the testkit's dependencies, so the benchmarks add nothing to the lockfile.
export const postgres = createRequire(`${ROOT}packages/testkit/package.json`)("postgres");

export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const databases = new Set();

const adminClient = () => postgres(ADMIN_URL, { max: 1, onnotice: () => {} });

/** A new, empty database; its URL. */
export async function createDatabase() {
  const name = `devtools_bench_${randomBytes(6).toString("hex")}`;
  const admin = adminClient();
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  databases.add(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabases() {
  if (databases.size === 0) return;
  const admin = adminClient();
  try {
    for (const name of databases) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      databases.delete(name);
    }
  } finally {
    await admin.end({ timeout: 2 });
  }
}
