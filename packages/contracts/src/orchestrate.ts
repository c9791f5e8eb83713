import { z } from "zod";
import { TokenUsage } from "./agent.ts";
import { PlannerChoice } from "./planning.ts";
import { FINAL_TASK_STATUSES, Priority, Task } from "./task.ts";
import { storableText } from "./text.ts";

/** Longest accepted request description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 20_000;

export const OrchestrateRequest = z
  .strictObject({
    description: storableText(
      z
        .string()
        .trim()
        .min(1, "must not be empty")
        .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`),
    ).meta({
      description: "The engineering request, in plain language.",
      example: "Deploy new API endpoint with authentication",
    }),
    priority: Priority.default("medium"),
    planner: PlannerChoice.default("auto"),
    max_tokens: z.number().int().positive().max(2_147_483_647).optional().meta({
      description:
        "Token budget: once the subtasks' prompt and completion tokens reach it, no more subtasks start; the rest are skipped and the task ends `partial` (or `failed` if none succeeded).",
      example: 20_000,
    }),
    callback_url: storableText(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2_048))
      .optional()
      .meta({
        description:
          "Receives a POST `{task_id, status, error, finished_at, usage}` each time the task ends, dated by `X-Devtools-Timestamp` (Unix seconds) and signed with `X-Devtools-Signature: sha256=<hex HMAC-SHA256 of <timestamp>.<raw body>>`. Retried with backoff until it answers 2xx. Needs the server's `CALLBACK_SIGNING_SECRET`.",
        example: "https://ci.example.com/hooks/devtools",
      }),
  })
  .meta({ id: "OrchestrateRequest" });
export type OrchestrateRequest = z.infer<typeof OrchestrateRequest>;

/** The deployment guide's answer (`task_id`, `subtasks`, `routing_plan`, `estimated_tokens`) is a subset of a task. */
export const OrchestrateResponse = Task;
export type OrchestrateResponse = Task;

/** Longest `Prefer: wait=` the server honours, in seconds; longer waits are cut to it. */
export const MAX_PREFER_WAIT_SECONDS = 300;

/** The body of a task-ended callback (`callback_url`). */
export const TaskCallback = z
  .object({
    task_id: z.uuid(),
    status: z.enum(FINAL_TASK_STATUSES),
    error: z.string().nullable(),
    finished_at: z.iso.datetime({ offset: true }),
    usage: TokenUsage,
  })
  .meta({ id: "TaskCallback", description: "What `callback_url` receives when the task ends." });
export type TaskCallback = z.infer<typeof TaskCallback>;

/** The response header saying a `Prefer: wait` was honoured (RFC 7240). */
export const PreferenceApplied = z.object({
  "Preference-Applied": z
    .string()
    .meta({ description: "`wait=<seconds>`: the wait honoured (capped at the server's maximum).", example: "wait=30" }),
});
