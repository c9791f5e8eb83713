import { describe, expect, it } from "vitest";
import { buildTestApp, readProblem } from "./support.ts";

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document describing the service", async () => {
    const response = await buildTestApp().request("/openapi.json");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toEqual({
      title: "devtools test-service",
      version: "1.2.3",
      description: "A service built by the test suite",
    });
    expect(document.components?.securitySchemes?.bearer).toEqual({ type: "http", scheme: "bearer" });
  });

  it("lists the built-in operations and a route mounted with createRoute", async () => {
    const document = (await (await buildTestApp().request("/openapi.json")).json()) as OpenApiDocument;

    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/health", "/ready", "/things"]));
    expect(document.paths["/health"]).toHaveProperty("get");
    expect(document.paths["/ready"]).toHaveProperty("get");
    const body = document.paths["/things"]?.post?.requestBody;
    expect(body?.content).toHaveProperty("application/json");
    expect(JSON.stringify(body)).toContain('"count"');
  });
});

describe("GET /docs", () => {
  it("serves an HTML page that loads the bundled Swagger UI and the document", async () => {
    const response = await buildTestApp().request("/docs");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('src="/docs/assets/swagger-ui-bundle.js"');
    expect(html).toContain('href="/docs/assets/swagger-ui.css"');
    expect(html).toContain('url: "/openapi.json"');
    expect(html).toContain("devtools test-service");
  });

  it("serves the Swagger UI bundle as JavaScript from the installed package", async () => {
    const response = await buildTestApp().request("/docs/assets/swagger-ui-bundle.js");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("cache-control")).toContain("max-age=");
    const script = await response.text();
    expect(script.length).toBeGreaterThan(100_000);
    expect(script).toContain("SwaggerUIBundle");
  });

  it("serves the Swagger UI stylesheet as CSS", async () => {
    const response = await buildTestApp().request("/docs/assets/swagger-ui.css");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/css/);
    expect((await response.text()).length).toBeGreaterThan(1_000);
  });

  it("answers 404 problem+json for an asset it does not know", async () => {
    const response = await buildTestApp().request("/docs/assets/swagger-ui-standalone-preset.js");

    expect(response.status).toBe(404);
    const problem = await readProblem(response);
    expect(problem.type).toBe("urn:devtools:problem:not_found");
    expect(problem.detail).toContain("swagger-ui-standalone-preset.js");
  });

  it.each([
    "..%2Fpackage.json",
    "%2e%2e%2fpackage.json",
    "..%2F..%2F..%2Fpackage.json",
    "..%5Cpackage.json",
    "%2Fetc%2Fpasswd",
  ])("does not read files outside the asset list for %s", async (name) => {
    const response = await buildTestApp().request(`/docs/assets/${name}`);

    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text).not.toContain('"dependencies"');
    expect(text).not.toContain("root:");
    expect(JSON.parse(text)).toMatchObject({ type: "urn:devtools:problem:not_found" });
  });

  // ASSETS is a plain object literal, so `ASSETS[file]` also finds Object.prototype's members.
  it.each(["__proto__", "constructor", "toString"])(
    "answers 404 for the inherited property name %s rather than trying to read it",
    async (name) => {
      const response = await buildTestApp().request(`/docs/assets/${name}`);

      expect(response.status).toBe(404);
      expect((await readProblem(response)).type).toBe("urn:devtools:problem:not_found");
    },
  );
});
