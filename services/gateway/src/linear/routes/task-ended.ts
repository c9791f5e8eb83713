import { TaskCallback } from "@devtools/contracts/orchestrate";
import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { LinearSetup } from "../setup.ts";
import { verifyCallbackSignature } from "../signatures.ts";
import { problem } from "./problem.ts";

/** How far `X-Devtools-Timestamp` may be from now; the orchestrator signs each attempt afresh. */
const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The path the orchestrator's callback for a link goes to. */
export const taskEndedPath = (linkId: string) => `/callbacks/linear/${linkId}`;

const Reported = z
  .object({ outcome: z.enum(["reported", "already_reported", "in_progress"]) })
  .meta({ id: "LinearTaskReport" });

const route = createRoute({
  method: "post",
  path: "/callbacks/linear/{link_id}",
  tags: ["linear"],
  summary: "The orchestrator's task-ended callback for a task started from Linear",
  description:
    "Verifies `X-Devtools-Signature` (`sha256=<hex HMAC-SHA256 of <X-Devtools-Timestamp>.<raw body>>` under CALLBACK_SIGNING_SECRET) and the timestamp (within 5 minutes), reads the task, and writes its result to the Linear issue once, however often the callback is delivered.",
  request: { params: z.object({ link_id: z.uuid() }) },
  parameters: [
    { name: "X-Devtools-Timestamp", in: "header", required: true, schema: { type: "string" } },
    { name: "X-Devtools-Signature", in: "header", required: true, schema: { type: "string" } },
  ],
  responses: {
    200: { description: "Reported now, or already", content: { "application/json": { schema: Reported } } },
    400: problem("A malformed body or a stale timestamp"),
    401: problem("Missing or wrong signature"),
    404: problem("No such link"),
    409: problem("The callback is for another task than the link's"),
    502: problem("Reading the task or writing to Linear failed; the orchestrator retries"),
    503: problem("CALLBACK_SIGNING_SECRET is not set"),
  },
});

export function taskEndedRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const secret = setup.config.CALLBACK_SIGNING_SECRET;
    if (!secret) throw new HttpError("unavailable", "CALLBACK_SIGNING_SECRET is not set");
    const raw = await c.req.text();
    const timestamp = c.req.header("x-devtools-timestamp") ?? "";
    if (!verifyCallbackSignature(secret, timestamp, raw, c.req.header("x-devtools-signature"))) {
      throw new HttpError("unauthorized", "X-Devtools-Signature is missing or does not match the timestamp and body");
    }
    if (
      !/^\d{1,12}$/.test(timestamp) ||
      Math.abs(Date.now() / 1_000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS
    ) {
      throw new HttpError("bad_request", "X-Devtools-Timestamp is more than 5 minutes away from now");
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new HttpError("malformed_json", `request body is not valid JSON: ${(error as Error).message}`);
    }
    const callback = TaskCallback.safeParse(json);
    if (!callback.success) throw HttpError.fromZod(callback.error, "json");
    const outcome = await setup.reporter.reportTaskEnd(c.req.valid("param").link_id, callback.data.task_id);
    return c.json({ outcome }, 200);
  });
}
