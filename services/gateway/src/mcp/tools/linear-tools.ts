import {
  CreateLinearCommentInput,
  CreateLinearIssueInput,
  LinearComment,
  LinearIssueSummary,
  type LinearOperations,
  SearchLinearIssuesInput,
} from "@devtools/contracts/linear";
import { z } from "zod";
import { contractTool, type GatewayTool, structuredResult } from "../gateway-tool.ts";

// Structured content must be an object: a list of issues is wrapped.
const IssueList = z.object({ issues: z.array(LinearIssueSummary) });

/** Linear issues and comments in the connected workspace, on the gateway's stored connection. */
export function linearTools(linear: LinearOperations): GatewayTool[] {
  return [
    contractTool({
      name: "linear_search_issues",
      title: "Search Linear issues",
      description: "Searches the connected Linear workspace's issues by text.",
      input: SearchLinearIssuesInput,
      output: IssueList,
      annotations: { readOnlyHint: true, openWorldHint: true },
      run: async (input, context) => structuredResult({ issues: await linear.searchIssues(input, context.signal) }),
    }),
    contractTool({
      name: "linear_create_issue",
      title: "Create a Linear issue",
      description: "Creates an issue in a team of the connected Linear workspace.",
      input: CreateLinearIssueInput,
      output: LinearIssueSummary,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      run: async (input, context) => structuredResult(await linear.createIssue(input, context.signal)),
    }),
    contractTool({
      name: "linear_comment",
      title: "Comment on a Linear issue",
      description: "Adds a Markdown comment to a Linear issue (by id or identifier such as ENG-123).",
      input: CreateLinearCommentInput,
      output: LinearComment,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      run: async (input, context) => structuredResult(await linear.createComment(input, context.signal)),
    }),
  ];
}
