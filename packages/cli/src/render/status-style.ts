import type { SubtaskStatus, TaskStatus } from "@devtools/contracts/task";
import type { Terminal } from "../cli/terminal.ts";

type Status = SubtaskStatus | TaskStatus | "retrying";

const ICONS: Record<Status, string> = {
  pending: "·",
  running: "›",
  retrying: "↻",
  succeeded: "✔",
  failed: "✖",
  partial: "◐",
  skipped: "↷",
  cancelled: "⊘",
};

/** A status's one-character mark; a running one shows the spinner's current frame instead. */
export const statusIcon = (status: Status) => ICONS[status];

/** A status word (or any text about it) in the status's colour. */
export function paintStatus(terminal: Terminal, status: Status, text: string): string {
  switch (status) {
    case "succeeded":
      return terminal.paint("green", text);
    case "failed":
      return terminal.paint("red", text);
    case "running":
      return terminal.paint("cyan", text);
    case "retrying":
    case "partial":
      return terminal.paint("yellow", text);
    case "skipped":
    case "cancelled":
    case "pending":
      return terminal.paint("gray", text);
  }
}
