import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

/** Where the CLI writes, and what that place can show. */
export interface Terminal {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is an interactive terminal: progress redraws in place, colours show. */
  interactive: boolean;
  /** The terminal's width, for cutting lines to one row; unlimited when stdout is not a terminal, so pipes get whole lines. */
  columns: () => number;
  /** `text` in `style` when stdout shows colours (a TTY without NO_COLOR), else plain. */
  paint: (style: Style, text: string) => string;
}

/** The process's own stdout and stderr. */
export function processTerminal(): Terminal {
  const interactive = process.stdout.isTTY === true;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive,
    columns: () => (interactive ? process.stdout.columns || 100 : Number.POSITIVE_INFINITY),
    // styleText checks the stream itself: colours only on a TTY and never with NO_COLOR or NODE_DISABLE_COLORS.
    paint: (style, text) => styleText(style, text, { stream: process.stdout }),
  };
}
