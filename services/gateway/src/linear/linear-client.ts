import type {
  CreateLinearCommentInput,
  CreateLinearIssueInput,
  LinearComment,
  LinearIssueSummary,
  LinearOperations,
  SearchLinearIssuesInput,
} from "@devtools/contracts/linear";
import { HttpError } from "@devtools/service-kit/errors";
import { type LinearAuthorization, type LinearCredentials, LinearNotConnected } from "./linear-credentials.ts";
import {
  AGENT_ACTIVITY_CREATE,
  COMMENT_CREATE,
  ISSUE_CREATE,
  type IssueNode,
  SEARCH_ISSUES,
  VIEWER,
  type ViewerData,
} from "./linear-documents.ts";
import { LinearApiError, LinearAuthenticationError, type LinearGraphQL } from "./linear-graphql.ts";

/** What an agent session shows: a `thought` while working, a `response` or an `error` at the end. */
export type AgentActivityContent = { type: "thought" | "response" | "error"; body: string };

const issueSummary = (node: IssueNode): LinearIssueSummary => ({
  id: node.id,
  identifier: node.identifier,
  title: node.title,
  url: node.url,
  state: node.state?.name ?? null,
});

/**
 * Linear's GraphQL API on the credentials the workspace has: each call is retried once with
 * refreshed credentials when Linear refuses the token. Failures come out as HttpErrors (503 when
 * Linear is not connected, 502 when Linear fails), which the MCP tools and routes pass on.
 */
export class LinearClient implements LinearOperations {
  readonly #graphql: LinearGraphQL;
  readonly #credentials: LinearCredentials;

  constructor(graphql: LinearGraphQL, credentials: LinearCredentials) {
    this.#graphql = graphql;
    this.#credentials = credentials;
  }

  async searchIssues(input: SearchLinearIssuesInput, signal?: AbortSignal): Promise<LinearIssueSummary[]> {
    const data = await this.#call<{ searchIssues: { nodes: IssueNode[] } }>(
      SEARCH_ISSUES,
      { term: input.query, first: input.first },
      { signal },
    );
    return data.searchIssues.nodes.map(issueSummary);
  }

  async createIssue(input: CreateLinearIssueInput, signal?: AbortSignal): Promise<LinearIssueSummary> {
    const data = await this.#call<{ issueCreate: { success: boolean; issue: IssueNode | null } }>(
      ISSUE_CREATE,
      { input: { teamId: input.team_id, title: input.title, description: input.description } },
      { signal },
    );
    if (!data.issueCreate.success || !data.issueCreate.issue)
      throw new HttpError("bad_gateway", "Linear did not create the issue");
    return issueSummary(data.issueCreate.issue);
  }

  createComment(input: CreateLinearCommentInput, signal?: AbortSignal): Promise<LinearComment> {
    return this.commentOnIssue(undefined, input.issue_id, input.body, signal);
  }

  /** Comments on an issue with `workspaceId`'s credentials (the chosen workspace's when undefined). */
  async commentOnIssue(
    workspaceId: string | undefined,
    issueId: string,
    body: string,
    signal?: AbortSignal,
  ): Promise<LinearComment> {
    const data = await this.#call<{ commentCreate: { success: boolean; comment: LinearComment | null } }>(
      COMMENT_CREATE,
      { input: { issueId, body } },
      { workspaceId, signal },
    );
    if (!data.commentCreate.success || !data.commentCreate.comment)
      throw new HttpError("bad_gateway", "Linear did not create the comment");
    return data.commentCreate.comment;
  }

  async postAgentActivity(workspaceId: string, agentSessionId: string, content: AgentActivityContent): Promise<void> {
    const data = await this.#call<{ agentActivityCreate: { success: boolean } }>(
      AGENT_ACTIVITY_CREATE,
      { input: { agentSessionId, content } },
      { workspaceId },
    );
    if (!data.agentActivityCreate.success)
      throw new HttpError("bad_gateway", "Linear did not record the agent activity");
  }

  /** Who and where a fresh access token acts, before it is stored. */
  viewerOf(accessToken: string): Promise<ViewerData> {
    return this.#graphql.request<ViewerData>(`Bearer ${accessToken}`, VIEWER, {}).catch((error: unknown) => {
      throw asHttpError(error);
    });
  }

  async #call<Data>(
    document: { name: string; query: string },
    variables: Record<string, unknown>,
    { workspaceId, signal }: { workspaceId?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<Data> {
    try {
      const authorization = await this.#credentials.authorization(workspaceId);
      try {
        return await this.#graphql.request<Data>(authorization.header, document, variables, signal);
      } catch (error) {
        if (!(error instanceof LinearAuthenticationError)) throw error;
        const renewed: LinearAuthorization | undefined = await this.#credentials.afterRejection(authorization);
        if (!renewed) throw error;
        return await this.#graphql.request<Data>(renewed.header, document, variables, signal);
      }
    } catch (error) {
      throw asHttpError(error);
    }
  }
}

function asHttpError(error: unknown): unknown {
  if (error instanceof LinearNotConnected) return new HttpError("unavailable", error.message);
  if (error instanceof LinearAuthenticationError) {
    return new HttpError("bad_gateway", `${error.message}; check LINEAR_API_KEY or connect Linear again`);
  }
  if (error instanceof LinearApiError) return new HttpError("bad_gateway", error.message, { cause: error });
  return error;
}
