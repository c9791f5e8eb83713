import type { OutputIssue } from "@devtools/inference/errors";

/** What is wrong with a repository-relative path, or undefined when it is fine. */
export function repositoryPathProblem(path: string): string | undefined {
  if (path.trim() !== path) return "must not start or end with whitespace";
  if (path.includes("\\")) return 'must use "/" as the separator, not "\\"';
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "must be relative to the repository root, not absolute";
  if (path.startsWith("~")) return "must be relative to the repository root, not to a home folder";
  if (path.endsWith("/")) return "must name a file, not a folder";
  const segments = path.split("/");
  if (segments.includes("..")) return 'must not contain ".." (it would leave the repository)';
  if (segments.some((segment) => segment === "" || segment === ".")) return 'must not contain empty or "." segments';
  return undefined;
}

/**
 * The paths of the output list `list` (`files`, `documents`…): each relative to the repository root
 * without `..`, each used once, and ending in `extension` when one is required.
 */
export function pathProblems(
  list: string,
  entries: readonly { path: string }[],
  { extension }: { extension?: string } = {},
): OutputIssue[] {
  const problems: OutputIssue[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach(({ path }, index) => {
    const at = `${list}[${index}].path`;
    const problem = repositoryPathProblem(path);
    if (problem) problems.push({ path: at, message: `"${path}" ${problem}` });
    if (extension && !path.toLowerCase().endsWith(extension)) {
      problems.push({ path: at, message: `"${path}" must end in ${extension}` });
    }
    const earlier = firstIndex.get(path);
    if (earlier === undefined) firstIndex.set(path, index);
    else
      problems.push({
        path: at,
        message: `"${path}" is already used by ${list}[${earlier}]; give each file one entry`,
      });
  });
  return problems;
}
