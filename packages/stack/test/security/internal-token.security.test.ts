import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { type StackEnvironment, type StackProcess, stackEnvironment, startStackProcess } from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The whole stack as `npm start` runs it, with INTERNAL_TOKEN set: every internal service is asked
// for every route its own OpenAPI document lists, so that a route added later is covered too.
const INTERNAL_TOKEN = "planted-internal-token-0f4c2a9e";
const INTERNAL_SERVICES = SERVICE_NAMES.filter((name): name is Exclude<ServiceName, "gateway"> => name !== "gateway");
/** What stays open without the token: the platform's probes and Prometheus hold none. */
const OPEN_ROUTES = ["GET /health", "GET /ready", "GET /metrics"];
/** Routes every service serves outside its OpenAPI document, and one it does not serve at all. */
const UNDOCUMENTED_ROUTES = [
  "GET /metrics",
  "GET /openapi.json",
  "GET /docs",
  "GET /no-such-route",
  "POST /no-such-route",
];
const WRONG_CREDENTIALS: Record<string, string>[] = [
  { authorization: "Bearer not-the-internal-token" },
  { authorization: `Bearer ${INTERNAL_TOKEN}x` },
  { authorization: `Bearer ${INTERNAL_TOKEN.slice(0, -1)}` },
  { authorization: `Bearer ${INTERNAL_TOKEN.toUpperCase()}` },
  { authorization: INTERNAL_TOKEN },
  { authorization: `Basic ${Buffer.from(`devtools:${INTERNAL_TOKEN}`).toString("base64")}` },
  { "x-internal-token": INTERNAL_TOKEN },
  { "x-api-key": INTERNAL_TOKEN },
];
const ANY_ID = "00000000-0000-4000-8000-000000000000";

let environment: StackEnvironment;
let stack: StackProcess;
beforeAll(async () => {
  environment = await stackEnvironment({ INTERNAL_TOKEN });
  stack = await startStackProcess(environment);
});
afterAll(() => stack?.stop());

const urlOf = (name: ServiceName) => environment.env[SERVICES[name].urlVariable] as string;

/** Every `METHOD /path` the service documents, with path parameters filled in. */
async function routesOf(name: ServiceName): Promise<string[]> {
  const response = await fetch(`${urlOf(name)}/openapi.json`, {
    headers: { authorization: `Bearer ${INTERNAL_TOKEN}` },
  });
  expect(response.status).toBe(200);
  const { paths } = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replaceAll(/\{[^}]+\}/g, ANY_ID)}`),
  );
}

async function call(name: ServiceName, route: string, headers: Record<string, string> = {}) {
  const [method = "GET", path = "/"] = route.split(" ");
  const hasBody = method !== "GET" && method !== "HEAD";
  const response = await fetch(`${urlOf(name)}${path}`, {
    method,
    headers: { ...headers, ...(hasBody ? { "content-type": "application/json" } : {}) },
    ...(hasBody ? { body: "{}" } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const contentType = response.headers.get("content-type") ?? "";
  // An event stream would stay open; its status and headers are all this needs.
  if (contentType.includes("text/event-stream")) {
    await response.body?.cancel();
    return { status: response.status, contentType, body: "" };
  }
  return { status: response.status, contentType, body: await response.text() };
}

describe.each(INTERNAL_SERVICES)("%s with INTERNAL_TOKEN set", (name) => {
  it("documents its routes (the enumeration below is not empty)", async () => {
    const routes = await routesOf(name);
    expect(routes.length).toBeGreaterThan(2);
    expect(routes).toEqual(expect.arrayContaining(["GET /health", "GET /ready"]));
  });

  it("refuses every route but the probes and metrics without the token, or with a wrong one (401 problem+json)", async () => {
    const guarded = [...new Set([...(await routesOf(name)), ...UNDOCUMENTED_ROUTES])].filter(
      (route) => !OPEN_ROUTES.includes(route),
    );
    for (const route of guarded) {
      for (const headers of [{}, ...WRONG_CREDENTIALS]) {
        const answer = await call(name, route, headers);
        expect(answer.status, `${route} with ${JSON.stringify(headers)}`).toBe(401);
        expect(answer.contentType).toContain("application/problem+json");
        expect(answer.body).not.toContain(INTERNAL_TOKEN);
      }
    }
  });

  it("accepts the token on every route (whatever the route then says of the empty request)", async () => {
    for (const route of await routesOf(name)) {
      const answer = await call(name, route, { authorization: `Bearer ${INTERNAL_TOKEN}` });
      expect([401, 403], `${route}: ${answer.body}`).not.toContain(answer.status);
    }
  });

  it("leaves exactly /health, /ready and /metrics open", async () => {
    for (const route of OPEN_ROUTES) expect((await call(name, route)).status, route).toBe(200);
  });
});
