import type { OutputIssue } from "@devtools/inference/errors";
import { repositoryPathProblem } from "./paths.ts";

interface Finding {
  severity: string;
  file: string | null;
  line: number | null;
}

const BLOCKING = new Set(["critical", "high"]);

/**
 * A review that holds together: findings name repository-relative files, a line only comes with a
 * file, and a review that finds something critical or high does not approve.
 */
export function reviewProblems(review: { findings: readonly Finding[]; verdict: string }): OutputIssue[] {
  const problems: OutputIssue[] = [];
  review.findings.forEach((finding, index) => {
    if (finding.file !== null) {
      const problem = repositoryPathProblem(finding.file);
      if (problem) problems.push({ path: `findings[${index}].file`, message: `"${finding.file}" ${problem}` });
    } else if (finding.line !== null) {
      problems.push({ path: `findings[${index}].line`, message: "a line needs a file; set file, or line to null" });
    }
  });
  const blocking = review.findings.filter((finding) => BLOCKING.has(finding.severity)).length;
  if (review.verdict === "approve" && blocking > 0) {
    problems.push({
      path: "verdict",
      message: `approves a change with ${blocking} critical or high finding(s); request changes, or lower their severity`,
    });
  }
  return problems;
}
