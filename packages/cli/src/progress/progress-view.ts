import type { Terminal } from "../cli/terminal.ts";
import { subtaskRow, taskHeadline } from "./progress-row.ts";
import type { SubtaskProgress, TaskProgress } from "./task-progress.ts";

/** Shows a task's progress as its events arrive. */
export interface ProgressView {
  /** Something changed: the subtask named, or the task itself. */
  changed(change: SubtaskProgress | "task", progress: TaskProgress): void;
  /** A line that is not a state change (a reconnection…). */
  notice(text: string): void;
  /** The last draw; leaves the terminal as it found it. */
  stop(): void;
}

const REDRAW_MS = 100;
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";

/**
 * On a terminal: the headline and one row per subtask, redrawn in place ten times a second so
 * that spinners turn and elapsed times count. Rows are cut to the terminal's width, since a
 * wrapped row would throw the cursor arithmetic off.
 */
export class RedrawingProgressView implements ProgressView {
  readonly #terminal: Terminal;
  readonly #progress: TaskProgress;
  readonly #clock: () => number;
  readonly #timer: NodeJS.Timeout;
  #drawn = 0;
  #frame = 0;

  constructor(terminal: Terminal, progress: TaskProgress, clock: () => number = Date.now) {
    this.#terminal = terminal;
    this.#progress = progress;
    this.#clock = clock;
    terminal.out(HIDE_CURSOR);
    this.#draw();
    this.#timer = setInterval(() => {
      this.#frame += 1;
      this.#draw();
    }, REDRAW_MS);
  }

  changed(): void {
    this.#draw();
  }

  notice(text: string): void {
    this.#erase();
    this.#terminal.out(`${this.#terminal.paint("yellow", text)}\n`);
    this.#draw();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#draw();
    this.#terminal.out(SHOW_CURSOR);
  }

  #erase(): void {
    if (this.#drawn > 0) this.#terminal.out(`\x1b[${this.#drawn}F\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    const now = this.#clock();
    const width = this.#terminal.columns() - 1;
    const lines = [
      taskHeadline(this.#terminal, this.#progress, now),
      ...this.#progress.subtasks.map((subtask) =>
        subtaskRow(this.#terminal, subtask, { now, frame: this.#frame, width }),
      ),
    ];
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}F` : "";
    this.#terminal.out(`${up}${lines.map((line) => `${CLEAR_LINE}${line}\n`).join("")}`);
    this.#drawn = lines.length;
  }
}

/** In a pipe or CI log: one plain line per change, stamped with the local time. */
export class LineProgressView implements ProgressView {
  readonly #terminal: Terminal;
  readonly #clock: () => number;

  constructor(terminal: Terminal, clock: () => number = Date.now) {
    this.#terminal = terminal;
    this.#clock = clock;
  }

  changed(change: SubtaskProgress | "task", progress: TaskProgress): void {
    const now = this.#clock();
    const line =
      change === "task" ? taskHeadline(this.#terminal, progress, now) : subtaskRow(this.#terminal, change, { now });
    this.#terminal.out(`${this.#stamp(now)}  ${line}\n`);
  }

  notice(text: string): void {
    this.#terminal.out(`${this.#stamp(this.#clock())}  ${text}\n`);
  }

  stop(): void {}

  #stamp(now: number): string {
    return new Date(now).toTimeString().slice(0, 8);
  }
}
