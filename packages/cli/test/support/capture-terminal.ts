import type { Terminal } from "../../src/cli/terminal.ts";

/** A terminal that records what is written; `interactive` decides between redrawing and plain lines. */
export function captureTerminal(interactive = false, columns = 80): Terminal & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    interactive,
    columns: () => columns,
    paint: (_style, text) => text,
  };
}
