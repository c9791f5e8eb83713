import { HttpError } from "@devtools/service-kit/errors";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { LinearSetup } from "../setup.ts";
import { verifyLinearSignature } from "../signatures.ts";
import { recordDelivery } from "../task-links.ts";
import { LinearWebhookEnvelope, taskTriggerFrom } from "../webhook-events.ts";
import { problem } from "./problem.ts";

/** How far `webhookTimestamp` may be from now, as Linear advises. */
const TIMESTAMP_TOLERANCE_MS = 60_000;

const WebhookAccepted = z
  .object({
    accepted: z.literal(true),
    /** Whether this delivery started (queued) a task. */
    task_queued: z.boolean(),
  })
  .meta({ id: "LinearWebhookAccepted" });

const route = createRoute({
  method: "post",
  path: "/webhooks/linear",
  tags: ["linear"],
  summary: "Linear's webhooks: issues and agent sessions that start tasks",
  description:
    "Verifies `Linear-Signature` (hex HMAC-SHA256 of the raw body under LINEAR_WEBHOOK_SECRET), refuses a `webhookTimestamp` more than 60 s away and a `Linear-Delivery` id already received, records the delivery and any work it asks for, and answers at once; the task starts in the background. An agent session created on an issue, an issue labelled LINEAR_TRIGGER_LABEL, or (agent mode) an issue assigned or delegated to the app starts a task from the issue's title and description; its result comes back to the issue once.",
  parameters: [
    { name: "Linear-Signature", in: "header", required: true, schema: { type: "string" } },
    { name: "Linear-Delivery", in: "header", required: true, schema: { type: "string" } },
  ],
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: WebhookAccepted } } },
    400: problem(
      "Not JSON, not a Linear webhook, a stale `webhookTimestamp`, no `Linear-Delivery`, or a delivery already received",
    ),
    401: problem("Missing or wrong `Linear-Signature`"),
    503: problem("LINEAR_WEBHOOK_SECRET or CALLBACK_SIGNING_SECRET is not set"),
  },
});

export function webhookRoute(setup: LinearSetup) {
  return new OpenAPIHono().openapi(route, async (c) => {
    const { config, database, store, starter } = setup;
    const secret = config.LINEAR_WEBHOOK_SECRET;
    if (!secret)
      throw new HttpError("unavailable", "LINEAR_WEBHOOK_SECRET is not set: Linear webhooks cannot be verified");
    // Without it the tasks' ends could not be verified, so their results would never reach Linear.
    if (!config.CALLBACK_SIGNING_SECRET) {
      throw new HttpError(
        "unavailable",
        "CALLBACK_SIGNING_SECRET is not set: set the same value on the gateway and the orchestrator",
      );
    }
    const raw = await c.req.text();
    if (!verifyLinearSignature(secret, raw, c.req.header("linear-signature"))) {
      throw new HttpError("unauthorized", "Linear-Signature is missing or does not match the body");
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new HttpError("malformed_json", `request body is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = LinearWebhookEnvelope.safeParse(json);
    if (!parsed.success) throw HttpError.fromZod(parsed.error, "json");
    const envelope = parsed.data;
    if (Math.abs(Date.now() - envelope.webhookTimestamp) > TIMESTAMP_TOLERANCE_MS) {
      throw new HttpError(
        "bad_request",
        "webhookTimestamp is more than 60 s away from now: a stale or replayed delivery",
      );
    }
    const deliveryId = c.req.header("linear-delivery")?.trim();
    if (!deliveryId || deliveryId.length > 200)
      throw new HttpError("bad_request", "Linear-Delivery header is missing or too long");

    const connection = await store.find(envelope.organizationId);
    const appUserId = connection?.actor === "app" ? connection.viewerId : undefined;
    const trigger = taskTriggerFrom(envelope, { label: config.LINEAR_TRIGGER_LABEL, appUserId });
    const outcome = await recordDelivery(database, deliveryId, `${envelope.type}.${envelope.action}`, trigger);
    if (outcome.kind === "replayed") throw new HttpError("bad_request", `delivery ${deliveryId} was already received`);
    if (outcome.linkId) {
      c.get("logger").info(
        { delivery_id: deliveryId, link_id: outcome.linkId, issue: trigger?.issueIdentifier },
        "task queued from Linear",
      );
      starter.wake();
    }
    return c.json({ accepted: true as const, task_queued: outcome.linkId !== undefined }, 200);
  });
}
