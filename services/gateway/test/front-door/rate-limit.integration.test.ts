import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyWithAdmin, type FakeUpstream, readProblem, startFakeUpstream } from "./support.ts";

// A gateway whose keys may make 3 requests at once and 6 a minute (one every 10 s) after that.
let dataDir: string;
let upstream: FakeUpstream;
let gateway: ServiceProcess;
let first: string;
let second: string;
let third: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "gateway-rate-"));
  first = await createKeyWithAdmin("first", { DATA_DIR: dataDir });
  second = await createKeyWithAdmin("second", { DATA_DIR: dataDir });
  third = await createKeyWithAdmin("third", { DATA_DIR: dataDir });
  upstream = await startFakeUpstream((_, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end("{}");
  });
  gateway = await startService("gateway", {
    DATA_DIR: dataDir,
    ORCHESTRATOR_URL: upstream.url,
    RATE_LIMIT_PER_MINUTE: "6",
    RATE_LIMIT_BURST: "3",
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const call = (key: string) =>
  fetch(`${gateway.url}/api/orchestrator/tasks`, { headers: { authorization: `Bearer ${key}` } });

describe("rate limits", () => {
  it("lets a key make its burst, then answers 429 with Retry-After, without touching other keys", async () => {
    const allowed = [await call(first), await call(first), await call(first)];
    expect(allowed.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(allowed.map((response) => response.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0"]);
    expect(allowed[0]?.headers.get("ratelimit-limit")).toBe("3");
    expect(allowed[0]?.headers.get("ratelimit-policy")).toBe("3;w=30");

    const proxiedBefore = upstream.requests.length;
    const refused = await call(first);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(9);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect((await readProblem(refused)).detail).toMatch(/^rate limit reached .*retry in \d+ s$/);
    expect(upstream.requests.length).toBe(proxiedBefore);

    expect((await call(second)).status).toBe(200);
  });

  it("does not spend a key's budget on requests refused at the door", async () => {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${gateway.url}/api/orchestrator/tasks`, {
        headers: { authorization: "Bearer dtk_unknown" },
      });
      expect(response.status).toBe(401);
    }
    expect((await call(second)).headers.get("ratelimit-remaining")).toBe("1");
  });

  it("counts a request to /mcp once, like any other", async () => {
    const response = await fetch(`${gateway.url}/mcp`, { method: "POST", headers: { "x-api-key": third } });
    expect(response.status).not.toBe(401);
    expect(response.headers.get("ratelimit-remaining")).toBe("2");
    await response.arrayBuffer();
  });
});
