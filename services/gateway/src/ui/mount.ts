import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpError } from "@devtools/service-kit/errors";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { etag } from "hono/etag";
import type { GatewayDependencies } from "../app.ts";
import { AssetCache } from "./asset-cache.ts";
import { BrowserModules } from "./browser-modules.ts";
import { contentSecurityPolicy } from "./content-security-policy.ts";
import { HighlightAssets } from "./highlight-assets.ts";

const JAVASCRIPT = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const HTML = "text/html; charset=utf-8";

/** What the page needs to know before its first data call: whether to ask for a key, and which services to show. */
export interface UiSettings {
  auth: boolean;
  services: string[];
}

/**
 * The web view at `/ui`: a page shell and its modules, public like any static site; every piece of
 * data it shows comes from the authenticated `/api` proxy with the key the user enters. Served with
 * a strict CSP and ETags (`no-cache`: the browser revalidates, so a restarted gateway's new code is
 * picked up at once, and an unchanged file costs a 304).
 */
export function mountUi(app: OpenAPIHono, deps: Pick<GatewayDependencies, "config" | "upstreams">): void {
  const here = import.meta.dirname;
  const modules = new BrowserModules(join(here, "browser"));
  const highlight = new HighlightAssets();
  const staticFolder = join(here, "static");
  const staticNames = new Set(readdirSync(staticFolder));
  const staticFiles = new AssetCache();
  const staticFile = (name: string) =>
    staticNames.has(name) ? staticFiles.get(name, () => readFile(join(staticFolder, name), "utf8")) : undefined;
  const settings: UiSettings = {
    auth: deps.config.GATEWAY_AUTH === "on",
    services: ["gateway", ...Object.keys(deps.upstreams)],
  };

  app.use("/ui/*", contentSecurityPolicy(), etag());
  const page = (c: Context) => send(c, staticFile("index.html"), HTML);
  app.get("/ui", page);
  app.get("/ui/", page);
  app.get("/ui/settings.json", (c) => c.json(settings, 200, { "cache-control": "no-cache" }));
  app.get("/ui/static/:file", (c) => {
    const file = c.req.param("file");
    return send(c, file.endsWith(".css") ? staticFile(file) : undefined, CSS);
  });
  app.get("/ui/app/:file", (c) => send(c, modules.source(c.req.param("file")), JAVASCRIPT));
  app.get("/ui/vendor/highlight/core.js", (c) => send(c, highlight.core(), JAVASCRIPT));
  app.get("/ui/vendor/highlight/theme.css", (c) => send(c, highlight.theme(), CSS));
  app.get("/ui/vendor/highlight/languages/:file", (c) => {
    const name = /^(.+)\.js$/.exec(c.req.param("file"))?.[1];
    return send(c, name === undefined ? undefined : highlight.language(name), JAVASCRIPT);
  });
}

async function send(c: Context, content: Promise<string | undefined> | undefined, contentType: string) {
  const body = await content;
  if (body === undefined) throw new HttpError("not_found", `no route for ${c.req.method} ${c.req.path}`);
  return c.body(body, 200, { "content-type": contentType, "cache-control": "no-cache" });
}
