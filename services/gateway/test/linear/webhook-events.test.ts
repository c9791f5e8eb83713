import { describe, expect, it } from "vitest";
import { LinearWebhookEnvelope, taskTriggerFrom } from "../../src/linear/webhook-events.ts";

const rules = { label: "devtools", appUserId: "app-user" };
const issue = (action: string, data: Record<string, unknown>, updatedFrom?: Record<string, unknown>) =>
  LinearWebhookEnvelope.parse({
    type: "Issue",
    action,
    organizationId: "org-1",
    webhookTimestamp: 1,
    data: { id: "issue-1", identifier: "ENG-1", title: "Do it", updatedAt: "2026-01-01T00:00:00.000Z", ...data },
    ...(updatedFrom ? { updatedFrom } : {}),
  });
const label = { id: "label-1", name: "devtools" };

describe("which Linear webhooks start a task", () => {
  it("starts one for an issue created with the label, whatever its case", () => {
    expect(taskTriggerFrom(issue("create", { labels: [{ ...label, name: "DevTools" }] }), rules)).toMatchObject({
      triggerKey: "issue:issue-1@2026-01-01T00:00:00.000Z",
      issueId: "issue-1",
      agentSessionId: null,
      title: "Do it",
    });
  });

  it("starts one when an update adds the label, and none for other edits of a labelled issue", () => {
    expect(taskTriggerFrom(issue("update", { labels: [label] }, { labelIds: [] }), rules)).toBeDefined();
    expect(taskTriggerFrom(issue("update", { labels: [label] }, { labelIds: ["label-1"] }), rules)).toBeUndefined();
    expect(taskTriggerFrom(issue("update", { labels: [label] }, { title: "Old" }), rules)).toBeUndefined();
  });

  it("starts one when an issue is assigned or delegated to the app user, and only in agent mode", () => {
    expect(taskTriggerFrom(issue("update", { assigneeId: "app-user" }, { assigneeId: null }), rules)).toBeDefined();
    expect(
      taskTriggerFrom(issue("update", { delegateId: "app-user" }, { delegateId: "someone" }), rules),
    ).toBeDefined();
    expect(taskTriggerFrom(issue("update", { assigneeId: "someone" }, { assigneeId: null }), rules)).toBeUndefined();
    expect(
      taskTriggerFrom(issue("update", { assigneeId: "app-user" }, { assigneeId: null }), {
        ...rules,
        appUserId: undefined,
      }),
    ).toBeUndefined();
  });

  it("starts one for a created agent session, keyed by the session", () => {
    const event = LinearWebhookEnvelope.parse({
      type: "AgentSessionEvent",
      action: "created",
      organizationId: "org-1",
      webhookTimestamp: 1,
      agentSession: { id: "session-1", issue: { id: "issue-2", title: "Fix it", description: "Now" } },
    });
    expect(taskTriggerFrom(event, rules)).toMatchObject({
      triggerKey: "session:session-1",
      agentSessionId: "session-1",
      issueId: "issue-2",
      description: "Now",
    });
    expect(taskTriggerFrom({ ...event, action: "prompted" }, rules)).toBeUndefined();
  });

  it("starts nothing for other events", () => {
    const comment = LinearWebhookEnvelope.parse({
      type: "Comment",
      action: "create",
      organizationId: "o",
      webhookTimestamp: 1,
    });
    expect(taskTriggerFrom(comment, rules)).toBeUndefined();
    expect(taskTriggerFrom(issue("create", { labels: [{ id: "x", name: "bug" }] }), rules)).toBeUndefined();
  });
});
