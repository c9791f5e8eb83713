import { z } from "zod";

/** Who the Linear connection acts as: the installing user, or the app itself (agent mode, `actor=app`). */
export const LinearActor = z.enum(["user", "app"]).meta({ id: "LinearActor" });
export type LinearActor = z.infer<typeof LinearActor>;

/** What the gateway tells about a stored Linear connection; never a token. */
export const LinearConnectionSummary = z
  .object({
    workspace: z.object({ id: z.string(), name: z.string(), url_key: z.string().nullable() }),
    scopes: z.array(z.string()),
    actor: LinearActor,
    /** When the access token expires; the gateway refreshes it before then. */
    expires_at: z.iso.datetime({ offset: true }).nullable(),
    status: z.enum(["connected", "disconnected"]),
    /** Why the connection was dropped (`invalid_grant`…), when it was. */
    disconnected_reason: z.string().nullable(),
    connected_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "LinearConnectionSummary" });
export type LinearConnectionSummary = z.infer<typeof LinearConnectionSummary>;

/** `GET /oauth/linear/status`, the deployment guide's shape. */
export const LinearStatusResponse = z
  .object({
    success: z.literal(true),
    status: z.object({
      stored: LinearConnectionSummary.nullable(),
      /** True when no OAuth token is stored and the personal `LINEAR_API_KEY` is used instead. */
      developerFallback: z.boolean(),
    }),
  })
  .meta({ id: "LinearStatusResponse" });
export type LinearStatusResponse = z.infer<typeof LinearStatusResponse>;

export const LinearIssueSummary = z
  .object({
    id: z.string(),
    /** `ENG-123`. */
    identifier: z.string(),
    title: z.string(),
    url: z.url(),
    state: z.string().nullable(),
  })
  .meta({ id: "LinearIssueSummary" });
export type LinearIssueSummary = z.infer<typeof LinearIssueSummary>;

export const SearchLinearIssuesInput = z
  .strictObject({
    query: z.string().trim().min(1, "must not be empty").max(500).meta({ description: "Text to search for." }),
    first: z.number().int().min(1).max(50).default(10).meta({ description: "How many issues to return." }),
  })
  .meta({ id: "SearchLinearIssuesInput" });
export type SearchLinearIssuesInput = z.infer<typeof SearchLinearIssuesInput>;

export const CreateLinearIssueInput = z
  .strictObject({
    team_id: z.string().min(1).meta({ description: "The Linear team's id." }),
    title: z.string().trim().min(1, "must not be empty").max(255),
    description: z.string().max(100_000).optional().meta({ description: "Markdown." }),
  })
  .meta({ id: "CreateLinearIssueInput" });
export type CreateLinearIssueInput = z.infer<typeof CreateLinearIssueInput>;

export const CreateLinearCommentInput = z
  .strictObject({
    issue_id: z.string().min(1).meta({ description: "The issue's id or identifier (`ENG-123`)." }),
    body: z.string().trim().min(1, "must not be empty").max(100_000).meta({ description: "Markdown." }),
  })
  .meta({ id: "CreateLinearCommentInput" });
export type CreateLinearCommentInput = z.infer<typeof CreateLinearCommentInput>;

export const LinearComment = z.object({ id: z.string(), url: z.url().nullable() }).meta({ id: "LinearComment" });
export type LinearComment = z.infer<typeof LinearComment>;

/**
 * What the gateway can do in the connected workspace, on the stored OAuth token or the personal API
 * key. The MCP Linear tools call it; the Linear module implements it over Linear's GraphQL API.
 */
export interface LinearOperations {
  searchIssues(input: SearchLinearIssuesInput, signal?: AbortSignal): Promise<LinearIssueSummary[]>;
  createIssue(input: CreateLinearIssueInput, signal?: AbortSignal): Promise<LinearIssueSummary>;
  createComment(input: CreateLinearCommentInput, signal?: AbortSignal): Promise<LinearComment>;
}
