// Markdown building blocks for the generated reports: aligned tables and number formats.

/** `text` on one line, its pipes escaped, to sit in a table cell or a list item. */
export const oneLine = (text) =>
  String(text)
    .replaceAll("|", "\\|")
    .replace(/\s*\n\s*/g, " ");

/** A Markdown table, its columns padded to the widest cell so that the source reads as a table too. */
export function table(header, rows) {
  const cells = rows.map((row) => row.map((cell) => oneLine(cell ?? "—")));
  const widths = header.map((title, i) => Math.max(3, title.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...cells.map(line)].join("\n");
}

/** The goals of a benchmark as a table: issue, goal, measured, met. */
export const goalTable = (goals) =>
  table(
    ["issue", "goal", "measured", "result"],
    goals.map((goal) => [goal.issue, goal.target, goal.measured, goal.met ? "**met**" : "**not met**"]),
  );

export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
export const ms = (value, digits = 3) => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : "n/a");
export const times = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");
export const percent = (value) => (Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : "n/a");
/** Environment assignments that reproduce a run's parameters, e.g. `BENCH_SECONDS=10`. */
export const envLine = (variables) =>
  Object.entries(variables)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
