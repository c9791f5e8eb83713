const SHOWN_PATHS = 5;

/** "Wrote 3 files (src/a.ts, src/b.ts, src/c.ts)", naming the first few paths and counting the rest. */
export function wrote(noun: string, paths: readonly string[]): string {
  const counted = `Wrote ${paths.length} ${noun}${paths.length === 1 ? "" : "s"}`;
  if (paths.length === 0) return counted;
  const shown = paths.slice(0, SHOWN_PATHS).join(", ");
  const more = paths.length > SHOWN_PATHS ? ` and ${paths.length - SHOWN_PATHS} more` : "";
  return `${counted} (${shown}${more})`;
}

/** The non-empty parts, trimmed, each ending in a full stop, joined into one paragraph. */
export function paragraph(...parts: (string | undefined)[]): string {
  return parts
    .map((part) => part?.trim() ?? "")
    .filter((part) => part !== "")
    .map((part) => (/[.!?]$/.test(part) ? part : `${part}.`))
    .join(" ");
}
