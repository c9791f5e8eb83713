/**
 * Lays rows out in columns padded to their widest cell, two spaces apart; the last column is not
 * padded. `paint` styles a cell after padding, so colour codes do not upset the alignment.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  paint: (cell: string, row: number, column: number) => string = (cell) => cell,
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[], row: number) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        return row < 0 ? padded : paint(padded, row, column);
      })
      .join("  ")
      .trimEnd();
  return [line(header, -1), ...rows.map((row, index) => line(row, index))].join("\n");
}
