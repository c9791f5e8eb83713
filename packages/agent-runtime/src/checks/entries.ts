import type { OutputIssue } from "@devtools/inference/errors";

/** Checks one file's content: what is wrong with it, one message per problem ("line 3: …"). */
export type ContentCheck = (content: string, path: string) => readonly string[] | Promise<readonly string[]>;

/** An entry of an output list that is a file. */
export interface FileEntry {
  path: string;
  content: string;
}

/**
 * Runs on each entry of the output list `list` the content check `checkFor` picks for it (none: the
 * entry is not checked), and places each problem at `list[index].content` for the repair prompt.
 */
export async function contentProblems<Entry extends FileEntry>(
  list: string,
  entries: readonly Entry[],
  checkFor: (entry: Entry) => ContentCheck | undefined,
): Promise<OutputIssue[]> {
  const problems = await Promise.all(
    entries.map(async (entry, index) => {
      const check = checkFor(entry);
      const messages = check ? await check(entry.content, entry.path) : [];
      return messages.map((message) => ({ path: `${list}[${index}].content`, message: `${entry.path}: ${message}` }));
    }),
  );
  return problems.flat();
}

/** At most `limit` messages, and a note of how many were left out: a repair prompt needs the first few, not hundreds. */
export function firstProblems(messages: readonly string[], limit = 8): string[] {
  if (messages.length <= limit) return [...messages];
  return [...messages.slice(0, limit), `…and ${messages.length - limit} more problems`];
}
