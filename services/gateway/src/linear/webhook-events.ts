import { storableText } from "@devtools/contracts/text";
import { z } from "zod";

/** The parts of a Linear webhook the gateway reads; everything else passes through unread. */
export const LinearWebhookEnvelope = z.looseObject({
  type: storableText(z.string().min(1)),
  action: storableText(z.string().min(1)),
  /** Milliseconds since the epoch, when Linear sent it. */
  webhookTimestamp: z.number(),
  organizationId: storableText(z.string().min(1)),
});
export type LinearWebhookEnvelope = z.infer<typeof LinearWebhookEnvelope>;

// What a task trigger keeps of an issue is stored: it must be text PostgreSQL can hold.
const IssueData = z.looseObject({
  id: storableText(z.string()),
  identifier: storableText(z.string()).optional(),
  title: storableText(z.string()),
  description: storableText(z.string()).nullish(),
  updatedAt: storableText(z.string()).optional(),
  assigneeId: z.string().nullish(),
  delegateId: z.string().nullish(),
  labelIds: z.array(z.string()).optional(),
  labels: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
});

const IssueEvent = z.looseObject({
  type: z.literal("Issue"),
  action: z.enum(["create", "update"]),
  data: IssueData,
  /** On updates, the previous values of the fields that changed. */
  updatedFrom: z.record(z.string(), z.unknown()).optional(),
});

const AgentSessionCreated = z.looseObject({
  type: z.literal("AgentSessionEvent"),
  action: z.literal("created"),
  agentSession: z.looseObject({
    id: storableText(z.string()),
    issue: z.looseObject({
      id: storableText(z.string()),
      identifier: storableText(z.string()).optional(),
      title: storableText(z.string()),
      description: storableText(z.string()).nullish(),
    }),
  }),
});

/** A request to start a task, read from a webhook. */
export interface TaskTrigger {
  /** The same trigger never starts two tasks: `session:<id>` or `issue:<id>@<updatedAt>`. */
  triggerKey: string;
  workspaceId: string;
  issueId: string;
  issueIdentifier: string | null;
  agentSessionId: string | null;
  title: string;
  description: string | null;
}

export interface TriggerRules {
  /** LINEAR_TRIGGER_LABEL, compared without case. */
  label: string;
  /** The app user of an `actor=app` connection: issues assigned or delegated to it start tasks. */
  appUserId: string | undefined;
}

/**
 * Whether a webhook asks for work: an agent session created on an issue; an issue created with, or
 * updated to gain, the trigger label; an issue created assigned or delegated to the app, or
 * updated to be. Edits of an issue that already qualified start nothing more.
 */
export function taskTriggerFrom(envelope: LinearWebhookEnvelope, rules: TriggerRules): TaskTrigger | undefined {
  const session = AgentSessionCreated.safeParse(envelope);
  if (session.success) {
    const { id, issue } = session.data.agentSession;
    return {
      triggerKey: `session:${id}`,
      workspaceId: envelope.organizationId,
      issueId: issue.id,
      issueIdentifier: issue.identifier ?? null,
      agentSessionId: id,
      title: issue.title,
      description: issue.description ?? null,
    };
  }
  const issueEvent = IssueEvent.safeParse(envelope);
  if (!issueEvent.success) return undefined;
  const { data, action, updatedFrom = {} } = issueEvent.data;
  const label = rules.label.toLowerCase();
  const triggerLabelIds = (data.labels ?? [])
    .filter((each) => each.name.toLowerCase() === label)
    .map((each) => each.id);
  const labelled = triggerLabelIds.length > 0;
  const previousLabelIds = updatedFrom.labelIds;
  const labelAdded =
    action === "create"
      ? labelled
      : Array.isArray(previousLabelIds) && triggerLabelIds.some((id) => !previousLabelIds.includes(id));
  const toApp = (field: "assigneeId" | "delegateId") =>
    rules.appUserId !== undefined &&
    data[field] === rules.appUserId &&
    (action === "create" || (field in updatedFrom && updatedFrom[field] !== rules.appUserId));
  if (!labelAdded && !toApp("assigneeId") && !toApp("delegateId")) return undefined;
  return {
    triggerKey: `issue:${data.id}@${data.updatedAt ?? envelope.webhookTimestamp}`,
    workspaceId: envelope.organizationId,
    issueId: data.id,
    issueIdentifier: data.identifier ?? null,
    agentSessionId: null,
    title: data.title,
    description: data.description ?? null,
  };
}
