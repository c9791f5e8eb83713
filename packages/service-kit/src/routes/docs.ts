import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { HttpError } from "../errors.ts";

// Swagger UI is served from the installed package, so /docs works on a box with no internet access.
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
// A Map, not an object: a name like "constructor" must not find an inherited property.
const ASSETS = new Map([
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
]);

function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true });</script>
</body>
</html>`;
}

/** `/openapi.json` (generated once, on first request, from the app's zod routes) and `/docs`. */
export function docsRoutes(api: OpenAPIHono, info: { title: string; version: string; description: string }) {
  let document: string | undefined;
  return new Hono()
    .get("/openapi.json", (c) => {
      document ??= JSON.stringify(api.getOpenAPI31Document({ openapi: "3.1.0", info }));
      return c.body(document, 200, { "content-type": "application/json" });
    })
    .get("/docs", (c) => c.html(docsPage(info.title)))
    .get("/docs/assets/:file", async (c) => {
      const file = c.req.param("file");
      const type = ASSETS.get(file);
      if (!type) throw new HttpError("not_found", `no documentation asset named ${file}`);
      const body = await readFile(join(SWAGGER_UI_DIR, file));
      return c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
    });
}
