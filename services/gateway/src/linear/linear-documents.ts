// The GraphQL documents the gateway sends to Linear; each is named, so Linear's logs (and a fake
// Linear in tests) can tell them apart by `operationName`.

const ISSUE_FIELDS = "id identifier title url state { name }";

export const VIEWER = {
  name: "Viewer",
  query: "query Viewer { viewer { id name } organization { id name urlKey } }",
};

export const SEARCH_ISSUES = {
  name: "SearchIssues",
  query: `query SearchIssues($term: String!, $first: Int) { searchIssues(term: $term, first: $first) { nodes { ${ISSUE_FIELDS} } } }`,
};

export const ISSUE_CREATE = {
  name: "IssueCreate",
  query: `mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { ${ISSUE_FIELDS} } } }`,
};

export const COMMENT_CREATE = {
  name: "CommentCreate",
  query:
    "mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id url } } }",
};

export const AGENT_ACTIVITY_CREATE = {
  name: "AgentActivityCreate",
  query:
    "mutation AgentActivityCreate($input: AgentActivityCreateInput!) { agentActivityCreate(input: $input) { success agentActivity { id } } }",
};

export interface IssueNode {
  id: string;
  identifier: string;
  title: string;
  url: string;
  state: { name: string } | null;
}

export interface ViewerData {
  viewer: { id: string; name: string };
  organization: { id: string; name: string; urlKey: string | null };
}
