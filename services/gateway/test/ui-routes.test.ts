import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@devtools/testkit/database";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What the gateway serves at /ui, without a browser: the shell and its policy, the browser modules
// as valid JavaScript, highlight.js as ES modules, and what is not there.

const BROWSER_MODULES = readdirSync(fileURLToPath(new URL("../src/ui/browser/", import.meta.url))).filter((name) =>
  name.endsWith(".ts"),
);

describe("the gateway's /ui routes", () => {
  let database: TestDatabase;
  let gateway: ServiceProcess;
  let scratch: string;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${path}`, { headers });

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    gateway = await startService("gateway", database.env);
    scratch = await mkdtemp(join(tmpdir(), "gateway-ui-routes-"));
  });
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("serves the page shell without a key, under a CSP that allows no inline script, while /api still needs one", async () => {
    for (const path of ["/ui", "/ui/"]) {
      const shell = await get(path);
      expect(shell.status).toBe(200);
      expect(shell.headers.get("content-type")).toMatch(/^text\/html/);
      const policy = shell.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toContain("unsafe-inline");
      const html = await shell.text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/src="\/ui\//);
        expect(body?.trim()).toBe("");
      }
    }
    const api = await get("/api/orchestrator/tasks");
    expect(api.status).toBe(401);
  });

  it("tells the page that keys are on and which services to show", async () => {
    const settings = await get("/ui/settings.json");
    expect(await settings.json()).toEqual({
      auth: true,
      services: ["gateway", "orchestrator", "feature-dev", "code-review", "infrastructure", "cicd", "documentation"],
    });
  });

  it("serves every browser module as JavaScript that parses, its types stripped", async () => {
    expect(BROWSER_MODULES).toContain("main.ts");
    for (const name of BROWSER_MODULES) {
      const response = await get(`/ui/app/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      const file = join(scratch, `${name}.mjs`);
      await writeFile(file, await response.text());
      const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
      expect(check.stderr, name).toBe("");
      expect(check.status, name).toBe(0);
    }
  });

  it("answers an unchanged module with 304 when the browser revalidates", async () => {
    const first = await get("/ui/app/main.ts");
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await get("/ui/app/main.ts", { "if-none-match": etag as string });
    expect(again.status).toBe(304);
  });

  it("serves highlight.js's core as an ES module that highlights with a grammar it also serves", async () => {
    const core = await get("/ui/vendor/highlight/core.js");
    expect(core.status).toBe(200);
    const yaml = await get("/ui/vendor/highlight/languages/yaml.js");
    expect(yaml.status).toBe(200);
    await writeFile(join(scratch, "core.mjs"), await core.text());
    await writeFile(join(scratch, "yaml.mjs"), await yaml.text());
    const hljs = (await import(join(scratch, "core.mjs"))).default;
    hljs.registerLanguage("yaml", (await import(join(scratch, "yaml.mjs"))).default);
    expect(hljs.highlight("name: ci\non: push\n", { language: "yaml" }).value).toContain(
      '<span class="hljs-attr">name:</span>',
    );
    const theme = await get("/ui/vendor/highlight/theme.css");
    expect(theme.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await theme.text()).toContain(".hljs");
  });

  it("answers 404 problem+json for what it does not serve: unknown modules, other source files, made-up languages", async () => {
    for (const path of [
      "/ui/app/nope.ts",
      "/ui/app/..%2Fmount.ts",
      "/ui/app/mount.ts",
      "/ui/static/index.html",
      "/ui/static/..%2Fmount.ts",
      "/ui/vendor/highlight/languages/not-a-language.js",
      "/ui/vendor/highlight/languages/..%2F..%2Fpackage.js",
      "/ui/vendor/highlight/languages/yaml",
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe("application/problem+json");
    }
  });
});
