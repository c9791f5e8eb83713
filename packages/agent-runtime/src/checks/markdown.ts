const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The document has text, and every fenced code block it opens is closed (else the rest renders as code). */
export function markdownProblems(content: string): string[] {
  if (content.trim() === "") return ["is empty; write the document's Markdown"];
  let open: { marker: string; line: number } | undefined;
  content.split("\n").forEach((text, index) => {
    const fence = FENCE.exec(text)?.[1];
    if (!fence) return;
    if (!open) open = { marker: fence, line: index + 1 };
    // A fence closes with the same character, at least as long, and nothing after it.
    else if (fence[0] === open.marker[0] && fence.length >= open.marker.length && text.trim() === fence)
      open = undefined;
  });
  return open ? [`line ${open.line}: the code block opened with ${open.marker} is never closed`] : [];
}
