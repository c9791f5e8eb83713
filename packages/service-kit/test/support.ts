import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { createServiceApp, type ServiceOptions } from "../src/app.ts";
import { HttpError } from "../src/errors.ts";
import { jsonBody } from "../src/json-body.ts";
import { createLogger } from "../src/logger.ts";

export const logger = createLogger("service-kit-test", "silent");

/** The body the JSON test route accepts: strict, so unknown fields are rejected. */
export const Thing = z.strictObject({
  name: z.string().min(1),
  count: z.number().int(),
});

const createThing = createRoute({
  method: "post",
  path: "/things",
  summary: "Echo a thing (test route)",
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { "application/json": { schema: Thing } } } },
  responses: { 200: { description: "The thing as received", content: { "application/json": { schema: Thing } } } },
});

export const SECRET_IN_ERROR = "password=hunter2";

/** A service app with the test routes the suites exercise mounted next to the built-in ones. */
export function buildTestApp(overrides: Partial<ServiceOptions> = {}): OpenAPIHono {
  const app = createServiceApp({
    name: "test-service",
    version: "1.2.3",
    description: "A service built by the test suite",
    logger,
    ...overrides,
  });
  app.route(
    "/",
    new OpenAPIHono().openapi(createThing, (c) => {
      const thing = c.req.valid("json");
      // Tells tests whether the client had gone away, which routes learn from this signal.
      return c.json(thing, 200, { "x-client-gone": String(c.req.raw.signal.aborted) });
    }),
  );
  app.get("/items/:id", (c) => c.json({ id: c.req.param("id") }));
  app.get("/boom", () => {
    throw new Error(`database said no (${SECRET_IN_ERROR})`);
  });
  app.get("/conflict", () => {
    throw new HttpError("conflict", "a thing named widget already exists");
  });
  return app;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string; code: string }[];
}

/** Reads a response that must be problem+json. */
export async function readProblem(response: Response): Promise<ProblemBody> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got ${type || "no content type"}: ${await response.text()}`);
  }
  return (await response.json()) as ProblemBody;
}
