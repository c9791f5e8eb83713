// For tests only: it imports vitest, a development dependency.

import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from "@devtools/testkit/database";
import { afterAll, beforeAll } from "vitest";
import { type Database, openDatabase } from "./client.ts";

/**
 * Gives the calling `describe` a fresh, migrated database of `kind`: created and opened before its
 * tests (`use` receives it), closed and dropped after them.
 */
export function withTestDatabase(kind: TestDatabaseKind, use: (database: Database) => void): void {
  let testDatabase: TestDatabase | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    use(database);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });
}
