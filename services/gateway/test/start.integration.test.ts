import { createTestDatabase, type TestDatabase } from "@devtools/testkit/database";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("the gateway process", () => {
  let database: TestDatabase;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    gateway = await startService("gateway", database.env);
  });
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
  });

  it("is healthy and ready once its database is migrated", async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", service: "gateway" });
    const ready = await fetch(`${gateway.url}/ready`);
    expect(ready.status).toBe(200);
  });

  it("refuses to start with a bad variable, naming it", async () => {
    await expect(startService("gateway", { ...database.env, ORCHESTRATOR_URL: "not a url" })).rejects.toThrow(
      /ORCHESTRATOR_URL/,
    );
  });
});
