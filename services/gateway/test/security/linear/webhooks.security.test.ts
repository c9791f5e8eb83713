import { createHmac, randomUUID } from "node:crypto";
import { waitFor } from "@devtools/testkit/poll";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProblem } from "../../front-door/support.ts";
import { startFakeOrchestrator } from "../../linear/support/fake-orchestrator.ts";
import { labelledIssue, linearSignature } from "../../linear/support/webhooks.ts";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.ts";

const WEBHOOK_SECRET = "planted-linear-webhook-secret";

let orchestrator: Awaited<ReturnType<typeof startFakeOrchestrator>>;
let gateway: InProcessGateway;
beforeAll(async () => {
  orchestrator = await startFakeOrchestrator();
  gateway = await startInProcessGateway({
    ORCHESTRATOR_URL: orchestrator.url,
    LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CALLBACK_SIGNING_SECRET: "planted-callback-signing-secret",
  });
});
afterAll(async () => {
  await gateway?.stop();
  await orchestrator?.close();
});

const post = (body: string, headers: Record<string, string | undefined>) =>
  gateway.request("/webhooks/linear", {
    method: "POST",
    headers: Object.fromEntries(
      Object.entries({ "content-type": "application/json", ...headers }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ),
    body,
  });

const count = async (table: string) =>
  Number((await gateway.database.query<{ n: number }>(`select count(*)::int as n from ${table}`, []))[0]?.n);

/** The refusal leaves no trace: no delivery recorded, no task link, no call to the orchestrator. */
async function expectRefused(response: Response, status: number, detail: RegExp) {
  expect(response.status).toBe(status);
  expect((await readProblem(response)).detail).toMatch(detail);
  expect(await count("linear_webhook_deliveries")).toBe(0);
  expect(await count("linear_task_links")).toBe(0);
  expect(orchestrator.requests).toHaveLength(0);
}

describe("Linear webhooks", () => {
  it.each([
    ["no signature", () => undefined],
    ["an empty signature", () => ""],
    ["a signature under another secret", (body: string) => linearSignature("another-secret", body)],
    ["the signature of another body", (body: string) => linearSignature(WEBHOOK_SECRET, `${body} `)],
    ["a truncated signature", (body: string) => linearSignature(WEBHOOK_SECRET, body).slice(0, 63)],
    ["a prefixed signature", (body: string) => `sha256=${linearSignature(WEBHOOK_SECRET, body)}`],
    ["a base64 signature", (body: string) => createHmac("sha256", WEBHOOK_SECRET).update(body).digest("base64")],
  ])("refuses a delivery with %s (401), recording and starting nothing", async (_what, sign) => {
    const body = JSON.stringify(labelledIssue());
    const response = await post(body, { "linear-signature": sign(body), "linear-delivery": randomUUID() });
    await expectRefused(response, 401, /Linear-Signature is missing or does not match/);
  });

  it.each([
    ["stale by more than a minute", -61_000],
    ["from more than a minute in the future", 61_000],
    ["a day old", -86_400_000],
  ])("refuses a correctly signed delivery whose timestamp is %s (400)", async (_what, offsetMs) => {
    const body = JSON.stringify(labelledIssue(Date.now() + offsetMs));
    const response = await post(body, {
      "linear-signature": linearSignature(WEBHOOK_SECRET, body),
      "linear-delivery": randomUUID(),
    });
    await expectRefused(response, 400, /webhookTimestamp is more than 60 s away/);
  });

  it("refuses a correctly signed delivery without a timestamp or a delivery id (400)", async () => {
    const { webhookTimestamp: _, ...untimed } = labelledIssue();
    const body = JSON.stringify(untimed);
    const response = await post(body, {
      "linear-signature": linearSignature(WEBHOOK_SECRET, body),
      "linear-delivery": randomUUID(),
    });
    await expectRefused(response, 400, /webhookTimestamp/);
    const timed = JSON.stringify(labelledIssue());
    await expectRefused(
      await post(timed, { "linear-signature": linearSignature(WEBHOOK_SECRET, timed) }),
      400,
      /Linear-Delivery/,
    );
  });

  it("accepts a good delivery once, starting its task, and refuses its replay (400)", async () => {
    const body = JSON.stringify(labelledIssue());
    const headers = { "linear-signature": linearSignature(WEBHOOK_SECRET, body), "linear-delivery": randomUUID() };
    const accepted = await post(body, headers);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ accepted: true, task_queued: true });
    await waitFor(() => orchestrator.requests[0], { what: "the task to be started" });

    const replayed = await post(body, headers);
    expect(replayed.status).toBe(400);
    expect((await readProblem(replayed)).detail).toMatch(/already received/);
    expect(await count("linear_webhook_deliveries")).toBe(1);
    expect(await count("linear_task_links")).toBe(1);
    expect(orchestrator.requests).toHaveLength(1);
  });
});
