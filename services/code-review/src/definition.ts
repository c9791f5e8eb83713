import { defineAgent } from "@devtools/agent-runtime/agent";
import { reviewProblems } from "@devtools/agent-runtime/checks/review";
import { paragraph } from "@devtools/agent-runtime/present";
import { CodeReviewOutput, FINDING_SEVERITIES } from "@devtools/contracts/agent-outputs";

const VERDICTS: Record<CodeReviewOutput["verdict"], string> = {
  approve: "Approved",
  request_changes: "Changes requested",
  comment: "Commented",
};

function severityCounts(review: CodeReviewOutput): string {
  const counts = FINDING_SEVERITIES.map(
    (severity) => [severity, review.findings.filter((finding) => finding.severity === severity).length] as const,
  ).filter(([, count]) => count > 0);
  if (counts.length === 0) return "no findings";
  return counts.map(([severity, count]) => `${count} ${severity}`).join(", ");
}

/** The review as a Markdown report: what downstream agents and humans read. */
function report(review: CodeReviewOutput): string {
  const findings = review.findings.map((finding, index) => {
    const where = finding.file ? ` — \`${finding.file}${finding.line ? `:${finding.line}` : ""}\`` : "";
    const suggestion = finding.suggestion.trim() ? `\n\n   Suggestion: ${finding.suggestion.trim()}` : "";
    return `${index + 1}. **${finding.severity}** \`${finding.rule}\`${where}\n\n   ${finding.message.trim()}${suggestion}`;
  });
  return [
    `# Code review: ${VERDICTS[review.verdict].toLowerCase()}`,
    review.summary.trim(),
    `## Findings (${severityCounts(review)})`,
    findings.length > 0 ? findings.join("\n\n") : "None.",
  ]
    .join("\n\n")
    .concat("\n");
}

export const definition = defineAgent({
  type: "code-review",
  description: "Reviews code and reports findings with severity, location and a suggested fix.",
  skills: ["correctness", "security", "performance", "maintainability", "test-coverage"],
  system: `You are the code-review agent of devtools, a platform that runs engineering requests on specialist agents.
You review code as a senior engineer does: correctness first, then security, performance, maintainability and tests. You report real problems with their place and a concrete fix, and you do not invent problems to look thorough.`,
  instructions: `How to answer:
- Review the files in the upstream results, or the code the subtask quotes.
- One finding per problem. severity: critical (an exploitable hole or data loss), high (a bug users will hit), medium (a likely bug, or important behaviour without a test), low (maintainability), info (a remark).
- file is the reviewed file's path as given, and line its 1-based line, when the finding is about one place; null when it is not.
- rule is a short kebab-case id (sql-injection, missing-test, unchecked-error…); message says what is wrong and why it matters; suggestion says how to fix it, with code where that helps.
- verdict: request_changes when any finding is critical or high; approve when nothing needs to change; comment otherwise. An empty findings list is a fine review of good code.
- summary: your conclusion in two or three sentences.`,
  output: CodeReviewOutput,
  checks: [reviewProblems],
  present: (review) => ({
    summary: paragraph(`${VERDICTS[review.verdict]} (${severityCounts(review)})`, review.summary),
    artifacts: [{ path: "code-review.md", kind: "review", content: report(review) }],
  }),
});
