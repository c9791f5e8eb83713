import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "@devtools/db/client";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyWithAdmin, type FakeUpstream, readProblem, runAdmin, startFakeUpstream } from "./support.ts";

// The admin command and the gateway as real processes on one database: PGlite in a folder (one
// process at a time, so the gateway is stopped while the admin command runs) or PostgreSQL.

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ proxied: request.url }));
  });
});
afterAll(() => upstream?.close());

describe.each(await testDatabaseKinds())("API keys on %s", (kind) => {
  let database: TestDatabase;
  let dataDir: string | undefined;
  let env: Record<string, string>;
  let gateway: ServiceProcess | undefined;

  const stopGateway = async () => {
    await gateway?.stop();
    gateway = undefined;
  };
  const startGateway = async () => {
    // A test that failed midway may have left one running.
    await stopGateway();
    gateway = await startService("gateway", {
      ...env,
      ORCHESTRATOR_URL: upstream.url,
      API_KEY_CACHE_TTL_MS: "300",
      API_KEY_LAST_USED_FLUSH_MS: "200",
    });
    return gateway;
  };

  /** Opens the database from the test (with the gateway stopped, on PGlite). */
  const withDatabase = async <T>(use: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openDatabase(database.target);
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${(gateway as ServiceProcess).url}${path}`, { headers });

  beforeAll(async () => {
    dataDir = kind === "pglite" ? await mkdtemp(join(tmpdir(), "gateway-keys-")) : undefined;
    database = await createTestDatabase(kind, dataDir);
    env = database.env;
  });
  afterAll(async () => {
    await stopGateway();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses everything behind the door until a key exists, saying how to create one", async () => {
    await startGateway();
    const proxiedBefore = upstream.requests.length;
    for (const [method, path] of [
      ["GET", "/api/orchestrator/tasks"],
      ["POST", "/mcp"],
      ["GET", "/mcp"],
      ["POST", "/oauth/linear/revoke"],
    ] as const) {
      const response = await fetch(`${(gateway as ServiceProcess).url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="devtools"');
      expect((await readProblem(response)).detail).toContain("admin create-key --name <name>");
    }
    expect(upstream.requests.length).toBe(proxiedBefore);
    // The probes stay open: orchestration platforms hold no key.
    expect((await get("/health")).status).toBe(200);
    await stopGateway();
  });

  let key: string;
  let other: string;

  it("creates keys with the admin command, printing each once, and stores only their hashes", async () => {
    key = await createKeyWithAdmin("laptop", env);
    other = await createKeyWithAdmin("ci", env);
    expect(key).toMatch(/^dtk_[A-Za-z0-9_-]{43}$/);
    expect(other).not.toBe(key);

    const duplicate = await runAdmin(["create-key", "--name", "laptop"], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('an active API key named "laptop" already exists');

    const listed = await runAdmin(["list-keys"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("laptop");
    expect(listed.stdout).toContain(key.slice(0, 12));
    expect(listed.stdout).not.toContain(key);

    const rows = await withDatabase((db) => db.query<Record<string, unknown>>("select * from api_keys", []));
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(other);
    const laptop = rows.find((row) => row.name === "laptop");
    expect(laptop?.hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(laptop?.prefix).toBe(key.slice(0, 12));
  });

  it("lets a good key through as a bearer token or X-API-Key, and refuses missing and wrong ones", async () => {
    await startGateway();
    const asBearer = await get("/api/orchestrator/tasks?limit=1", { authorization: `Bearer ${key}` });
    expect(asBearer.status).toBe(200);
    expect(await asBearer.json()).toEqual({ proxied: "/tasks?limit=1" });
    const asHeader = await get("/api/orchestrator/tasks", { "x-api-key": other });
    expect(asHeader.status).toBe(200);

    const missing = await get("/api/orchestrator/tasks");
    expect(missing.status).toBe(401);
    expect((await readProblem(missing)).detail).toBe(
      "an API key is required: send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`",
    );
    const wrongKey = `dtk_${"A".repeat(43)}`;
    for (const wrong of [wrongKey, `${key}x`, "not-a-key", key.toUpperCase()]) {
      const response = await get("/api/orchestrator/tasks", { authorization: `Bearer ${wrong}` });
      expect(response.status).toBe(401);
      expect((await readProblem(response)).detail).toBe(
        "the API key is not valid: it is malformed, unknown or revoked",
      );
    }
  });

  it("guards /mcp and POST /oauth/linear/revoke with the same keys", async () => {
    for (const path of ["/mcp", "/oauth/linear/revoke"]) {
      const refused = await fetch(`${(gateway as ServiceProcess).url}${path}`, { method: "POST" });
      expect(refused.status, path).toBe(401);
      const admitted = await fetch(`${(gateway as ServiceProcess).url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      });
      // Past the door: whatever the route answers, it is not the door's refusal.
      expect(admitted.status, path).not.toBe(401);
      await admitted.arrayBuffer();
    }
  });

  it("refuses a revoked key once the gateway's cache expires, and records when keys were last used", async () => {
    if (kind === "pglite") {
      // The admin command will not open the embedded database while a gateway has it open.
      const refused = await runAdmin(["revoke-key", "ci"], {
        ...env,
        PORT: String((gateway as ServiceProcess).port),
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("a gateway is running");
      await stopGateway();
    }
    const revoked = await runAdmin(["revoke-key", "ci"], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain('Revoked API key "ci"');
    expect((await runAdmin(["revoke-key", "ci"], env)).code).toBe(1);
    if (!gateway) await startGateway();

    await waitFor(
      async () => ((await get("/api/orchestrator/tasks", { "x-api-key": other })).status === 401 ? true : undefined),
      { what: "the revoked key to be refused" },
    );
    expect((await get("/api/orchestrator/tasks", { "x-api-key": key })).status).toBe(200);

    // On PostgreSQL the batched write is visible while the gateway runs; PGlite is read after it stops.
    if (kind === "pglite") await stopGateway();
    const lastUsed = await waitFor(
      async () => {
        const rows = await withDatabase((db) =>
          db.query<{ name: string }>("select name from api_keys where last_used_at is not null", []),
        );
        return rows.length === 2 ? rows.map((row) => row.name).sort() : undefined;
      },
      { what: "last_used_at to be written" },
    );
    expect(lastUsed).toEqual(["ci", "laptop"]);
  });
});
