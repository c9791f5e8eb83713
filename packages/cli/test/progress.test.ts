import { stripVTControlCharacters } from "node:util";
import type { TaskEvent } from "@devtools/contracts/task-events";
import { describe, expect, it } from "vitest";
import { LineProgressView, type ProgressView, RedrawingProgressView } from "../src/progress/progress-view.ts";
import { TaskProgress } from "../src/progress/task-progress.ts";
import { renderPlan } from "../src/render/plan.ts";
import { captureTerminal } from "./support/capture-terminal.ts";
import { CODE, plannedTask, REVIEW, TASK_ID } from "./support/task-fixture.ts";

let nextId = 1;
const event = (
  type: TaskEvent["type"],
  subtask: string | null,
  data: Record<string, unknown>,
  at: string,
): TaskEvent => ({
  id: nextId++,
  task_id: TASK_ID,
  subtask_id: subtask,
  type,
  data,
  created_at: `2025-01-01T10:00:${at}.000Z`,
});

describe("TaskProgress", () => {
  it("follows a task through its events: running, retrying, succeeded with tokens, skipped, ended", () => {
    const progress = new TaskProgress(plannedTask());
    // The plan's order, not the API's: feature-dev (stage 0) before code-review (stage 1).
    expect(progress.subtasks.map((subtask) => subtask.id)).toEqual([CODE, REVIEW]);
    expect(progress.apply(event("task.running", null, {}, "01"))).toBe("task");
    const code = progress.apply(event("subtask.running", CODE, { attempt: 1, generation: 0, recovered: false }, "01"));
    expect(code).toMatchObject({ status: "running", attempt: 1, startedAt: Date.parse("2025-01-01T10:00:01.000Z") });
    progress.apply(
      event("subtask.retrying", CODE, { attempt: 1, error: "agent answered 503", retry_in_ms: 1500 }, "02"),
    );
    expect(progress.subtasks[0]).toMatchObject({
      status: "pending",
      retrying: true,
      note: "retrying in 1.5 s: agent answered 503",
    });
    progress.apply(event("subtask.running", CODE, { attempt: 2, recovered: true }, "04"));
    expect(progress.subtasks[0]).toMatchObject({
      attempt: 2,
      retrying: false,
      note: "recovered from an orchestrator that stopped",
    });
    // The first dispatch still counts as its start.
    expect(progress.subtasks[0]?.startedAt).toBe(Date.parse("2025-01-01T10:00:01.000Z"));
    progress.apply(event("subtask.succeeded", CODE, { usage: { total_tokens: 1234 }, replayed: false }, "07"));
    expect(progress.subtasks[0]).toMatchObject({
      status: "succeeded",
      tokens: 1234,
      finishedAt: Date.parse("2025-01-01T10:00:07.000Z"),
    });
    progress.apply(event("subtask.skipped", REVIEW, { reason: "budget spent" }, "08"));
    expect(progress.subtasks[1]).toMatchObject({ status: "skipped", note: "budget spent" });
    expect(progress.done).toBe(2);
    expect(progress.tokens).toBe(1234);
    expect(progress.finished).toBe(false);
    progress.apply(event("task.partial", null, { error: "1 subtask skipped" }, "08"));
    expect(progress).toMatchObject({ status: "partial", error: "1 subtask skipped", finished: true });
  });

  it("puts retried subtasks back to pending on task.retrying, and ignores subtasks it does not know", () => {
    const progress = new TaskProgress(plannedTask());
    progress.apply(event("subtask.failed", CODE, { error: "422: invalid output" }, "03"));
    progress.apply(event("task.failed", null, { error: "feature-dev failed" }, "03"));
    expect(progress.subtasks[0]).toMatchObject({ status: "failed", note: "422: invalid output" });
    progress.apply(event("task.retrying", null, { subtasks: [CODE] }, "05"));
    expect(progress.subtasks[0]).toMatchObject({ status: "pending", note: undefined, finishedAt: undefined });
    expect(progress.status).toBe("pending");
    expect(progress.apply(event("subtask.running", "44444444-4444-4444-8444-444444444444", {}, "06"))).toBeUndefined();
  });
});

describe("progress views", () => {
  it("prints one plain line per change when stdout is not a terminal", () => {
    const terminal = captureTerminal(false);
    const progress = new TaskProgress(plannedTask());
    const view = new LineProgressView(terminal, () => Date.parse("2025-01-01T10:00:05.000Z"));
    const change = progress.apply(event("subtask.running", CODE, { attempt: 1 }, "02"));
    if (change) view.changed(change, progress);
    const done = progress.apply(event("subtask.succeeded", CODE, { usage: { total_tokens: 2500 } }, "04"));
    if (done) view.changed(done, progress);
    expect(terminal.stdout).toHaveLength(2);
    expect(terminal.stdout[0]).toMatch(/^\d\d:\d\d:\d\d {2}› feature-dev +22222222 running +3\.0s +Write it\n$/);
    expect(terminal.stdout[1]).toMatch(
      /^\d\d:\d\d:\d\d {2}✔ feature-dev +22222222 succeeded +2\.0s +2,500 tokens {2}Write it\n$/,
    );
    expect(terminal.stdout.join("")).not.toContain("\x1b");
  });

  it("redraws in place on a terminal: spinner, elapsed time, rows cut to the width, cursor restored", () => {
    const terminal = captureTerminal(true, 60);
    const progress = new TaskProgress(plannedTask());
    let now = Date.parse("2025-01-01T10:00:03.000Z");
    const view: ProgressView = new RedrawingProgressView(terminal, progress, () => now);
    const change = progress.apply(event("subtask.running", CODE, { attempt: 1 }, "01"));
    if (change) view.changed(change, progress);
    now += 1500;
    view.stop();
    const output = terminal.stdout.join("");
    expect(output.startsWith("\x1b[?25l")).toBe(true);
    expect(output.endsWith("\x1b[?25h")).toBe(true);
    // Each redraw goes back up over the headline and the two rows.
    expect(output).toContain("\x1b[3F");
    const lastFrame = output.slice(output.lastIndexOf("\x1b[3F"));
    expect(lastFrame).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] feature-dev +22222222 running +3\.5s/);
    for (const line of lastFrame.split("\n")) expect(stripVTControlCharacters(line).length).toBeLessThanOrEqual(59);
  });
});

describe("renderPlan", () => {
  it("shows the stages, each subtask's agent, and what it waits for", () => {
    const plan = renderPlan(captureTerminal(), plannedTask());
    expect(plan).toContain(
      `task ${TASK_ID}  medium priority · planner rules · 2 subtasks in 2 stages · ~2 min · ~200 tokens`,
    );
    expect(plan).toMatch(
      /stage 1\n +feature-dev +22222222 +Write it\n +stage 2\n +code-review +33333333 +Review it +← after feature-dev 22222222/,
    );
    expect(plan).toContain("critical path: feature-dev → code-review");
  });
});
