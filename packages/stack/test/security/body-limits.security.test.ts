import { SERVICE_NAMES, SERVICES, type ServiceName } from "@devtools/contracts/services";
import { type RawResponse, rawExchange } from "@devtools/testkit/raw-http";
import {
  createApiKey,
  type StackEnvironment,
  type StackProcess,
  stackEnvironment,
  startStackProcess,
} from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Every service of the stack gets a body over its limit (the service kit's default, 1 MiB) on a
// route that reads its body, in each way a body can be framed, and must then still serve.
const LIMIT = 1024 * 1024;
const INTERNAL_TOKEN = "planted-internal-token-for-body-limits";
/** A route of each service that reads a JSON body. */
const BODY_ROUTE: Record<ServiceName, string> = {
  gateway: "/api/orchestrator/orchestrate",
  orchestrator: "/orchestrate",
  "feature-dev": "/execute",
  "code-review": "/execute",
  infrastructure: "/execute",
  cicd: "/execute",
  documentation: "/execute",
};

let environment: StackEnvironment;
let stack: StackProcess;
let apiKey: string;
beforeAll(async () => {
  environment = await stackEnvironment({ INTERNAL_TOKEN });
  apiKey = createApiKey(environment, "body-limits");
  stack = await startStackProcess(environment);
});
afterAll(() => stack?.stop());

const urlOf = (name: ServiceName) => environment.env[SERVICES[name].urlVariable] as string;
const credentialOf = (name: ServiceName) => (name === "gateway" ? apiKey : INTERNAL_TOKEN);
const head = (name: ServiceName, framing: string) =>
  `POST ${BODY_ROUTE[name]} HTTP/1.1\r\nHost: service.test\r\nAuthorization: Bearer ${credentialOf(name)}\r\n` +
  `Content-Type: application/json\r\n${framing}\r\n\r\n`;
/** A JSON document of `bytes` bytes, in chunks of 64 KiB. */
function chunks(bytes: number): string[] {
  const body = `{"description":"${"x".repeat(bytes - 18)}"}`;
  const out: string[] = [];
  for (let at = 0; at < body.length; at += 65_536) {
    const chunk = body.slice(at, at + 65_536);
    out.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  }
  return [...out, "0\r\n\r\n"];
}

function expectTooLarge(response: RawResponse | undefined, what: string) {
  expect(response?.status, `${what}: ${response?.body}`).toBe(413);
  expect(response?.headers["content-type"]).toContain("application/problem+json");
  expect(JSON.parse(response?.body ?? "{}")).toMatchObject({ type: "urn:devtools:problem:payload_too_large" });
}

async function expectHealthy(name: ServiceName) {
  const health = await fetch(`${urlOf(name)}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", service: name });
}

describe.each(SERVICE_NAMES)("the body limit of %s", (name) => {
  it("refuses a declared Content-Length over the limit with 413 before reading the body", async () => {
    const { responses } = await rawExchange(urlOf(name), [head(name, `Content-Length: ${LIMIT + 1}`)]);
    expectTooLarge(responses[0], "declared length");
    await expectHealthy(name);
  });

  it("refuses a chunked body with no Content-Length once it passes the limit", async () => {
    const { responses } = await rawExchange(urlOf(name), [
      head(name, "Transfer-Encoding: chunked"),
      ...chunks(LIMIT + 65_536),
    ]);
    expectTooLarge(responses[0], "chunked");
    await expectHealthy(name);
  });

  it("refuses a lying Content-Length over the limit at once, though the bytes never come", async () => {
    const { responses } = await rawExchange(urlOf(name), [head(name, `Content-Length: ${LIMIT * 64}`), "{}"]);
    expectTooLarge(responses[0], "lying length");
    await expectHealthy(name);
  });

  it("reads no more than a lying small Content-Length: the extra bytes are never a request", async () => {
    const { responses } = await rawExchange(urlOf(name), [head(name, "Content-Length: 2"), `{}${"y".repeat(65_536)}`]);
    expect(responses[0]?.status).toBe(400);
    for (const response of responses.slice(1)) expect(response.status).toBe(400);
    await expectHealthy(name);
  });
});
