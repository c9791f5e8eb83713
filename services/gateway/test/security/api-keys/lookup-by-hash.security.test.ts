import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "@devtools/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyWithAdmin, readProblem } from "../../front-door/support.ts";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.ts";

/** The database with every statement and its parameters recorded. */
function recording(database: Database) {
  const statements: { text: string; params: readonly unknown[] }[] = [];
  const query: Database["query"] = (text, params) => {
    statements.push({ text, params });
    return database.query(text, params);
  };
  return { database: { ...database, query }, statements };
}

/** `key` with one character of its random part changed (`at` from the end), keeping its shape. */
function modified(key: string, at: number): string {
  const index = key.length - 1 - at;
  const replacement = key[index] === "A" ? "B" : "A";
  return `${key.slice(0, index)}${replacement}${key.slice(index + 1)}`;
}

let dataDir: string;
let key: string;
let gateway: InProcessGateway;
let statements: ReturnType<typeof recording>["statements"];
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "gateway-key-security-"));
  // The operator's path: the admin command, as its own process, on the gateway's database.
  key = await createKeyWithAdmin("security", { DATA_DIR: dataDir });
  const recorded = recording(await openDatabase({ kind: "pglite", dataDir }));
  statements = recorded.statements;
  gateway = await startInProcessGateway({ DATA_DIR: dataDir, API_KEY_CACHE_TTL_MS: "1" }, recorded.database);
});
afterAll(async () => {
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("API keys", () => {
  it("are stored as their SHA-256 and a display prefix, never in clear", async () => {
    const rows = await gateway.database.query<Record<string, unknown>>("select * from api_keys", []);
    expect(rows).toHaveLength(1);
    const dump = JSON.stringify(rows);
    for (const form of [key, key.slice(12), Buffer.from(key).toString("base64"), Buffer.from(key).toString("hex")]) {
      expect(dump).not.toContain(form);
    }
    expect(rows[0]?.hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(rows[0]?.prefix).toBe(key.slice(0, 12));
  });

  it("are looked up by hash alone, so no secret is compared byte by byte, and a modified key is refused", async () => {
    const since = statements.length;
    const presented = [key, modified(key, 0), modified(key, 20), modified(key, 42), key.slice(0, -1)];
    const statuses: number[] = [];
    for (const candidate of presented) {
      const response = await gateway.request("/api/orchestrator/tasks", { headers: { "x-api-key": candidate } });
      statuses.push(response.status);
      if (response.status === 401) {
        expect((await readProblem(response)).detail).toBe(
          "the API key is not valid: it is malformed, unknown or revoked",
        );
      } else {
        await response.arrayBuffer();
      }
    }
    // The good key passes the door (the orchestrator behind it is not running: 502), every modified one is refused.
    expect(statuses[0]).not.toBe(401);
    expect(statuses.slice(1)).toEqual([401, 401, 401, 401]);

    const lookups = statements.slice(since).filter((statement) => /from api_keys where hash/i.test(statement.text));
    const hashesLookedUp = lookups.flatMap((statement) => statement.params);
    // Only well-formed keys reach the database, each as its hash: the truncated one is refused without a lookup.
    expect(hashesLookedUp.sort()).toEqual(
      presented
        .slice(0, 4)
        .map((candidate) => createHash("sha256").update(candidate).digest("hex"))
        .sort(),
    );
    for (const statement of lookups) expect(statement.text).toMatch(/where hash = \$1 and revoked_at is null$/);
    const sent = JSON.stringify(statements.slice(since).map((statement) => statement.params));
    for (const candidate of presented) expect(sent).not.toContain(candidate);
  });
});
