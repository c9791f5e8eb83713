/** "0.8s", "12.3s", "2m 05s", "1h 02m": short enough for a progress column. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 60_000) return `${(safe / 1000).toFixed(1)}s`;
  const seconds = Math.floor(safe / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

const thousands = new Intl.NumberFormat("en-US");

/** "1,234". */
export const formatCount = (count: number) => thousands.format(count);

/** "1,234 tokens". */
export const formatTokens = (tokens: number) => `${formatCount(tokens)} tokens`;

/** A UUID's first eight characters: enough to tell a task's subtasks apart on screen. */
export const shortId = (id: string) => id.slice(0, 8);

/** Cuts `text` to `width` characters, ending in "…" when it was longer; newlines become spaces. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (width <= 0) return "";
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/** "2025-01-31 12:00:01" in local time: what a table of tasks shows. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
