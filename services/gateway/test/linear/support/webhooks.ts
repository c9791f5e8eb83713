import { createHmac, randomUUID } from "node:crypto";
import { FAKE_WORKSPACE } from "./fake-linear.ts";

/** Linear's `linear-signature`: the hex HMAC-SHA256 of the raw body under the webhook secret. */
export const linearSignature = (secret: string, body: string): string =>
  createHmac("sha256", secret).update(body).digest("hex");

/** An issue created with the trigger label in the fake workspace: accepted, it starts a task. */
export const labelledIssue = (webhookTimestamp = Date.now()) => ({
  type: "Issue",
  action: "create",
  organizationId: FAKE_WORKSPACE.id,
  webhookTimestamp,
  data: {
    id: `issue-${randomUUID()}`,
    identifier: "ENG-42",
    title: "Add rate limits",
    updatedAt: new Date().toISOString(),
    labels: [{ id: "label-1", name: "devtools" }],
  },
});
