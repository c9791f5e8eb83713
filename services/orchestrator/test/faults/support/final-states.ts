import { FINAL_SUBTASK_STATUSES, FINAL_TASK_STATUSES, type Task } from "@devtools/contracts/task";
import { expect } from "vitest";

/**
 * The oracle of every fault: the task has ended, in a status its subtasks justify. Each subtask
 * ended; a succeeded one has its result and ran after its dependencies succeeded; one that did not
 * succeed says why; the dependants of one that did not succeed are skipped. The task succeeded when all did,
 * failed when none did, ended partial otherwise, and says why whenever it did not succeed.
 */
export function expectEndedCorrectly(task: Task): void {
  const where = `task ${task.task_id}`;
  expect(FINAL_TASK_STATUSES, where).toContain(task.status);
  expect(task.finished_at, where).not.toBeNull();
  const byId = new Map(task.subtasks.map((subtask) => [subtask.id, subtask]));
  for (const subtask of task.subtasks) {
    const what = `${where}, ${subtask.agent_type} subtask ${subtask.id} (${subtask.status}: ${subtask.error})`;
    expect(FINAL_SUBTASK_STATUSES, what).toContain(subtask.status);
    const dependencies = subtask.depends_on.map((id) => byId.get(id)?.status);
    if (subtask.status === "succeeded") {
      expect(subtask.result?.subtask_id, what).toBe(subtask.id);
      expect(
        dependencies.every((status) => status === "succeeded"),
        what,
      ).toBe(true);
    } else {
      expect(subtask.result, what).toBeNull();
      expect(subtask.error, what).toMatch(/\S/);
    }
    // Skipped exactly when a dependency did not succeed (a cancel ends the rest as cancelled instead).
    const blocked = dependencies.some((status) => status !== "succeeded");
    if (subtask.status === "skipped") expect(blocked, what).toBe(true);
    else if (blocked) expect(subtask.status, what).toBe("cancelled");
  }
  if (task.status === "cancelled") return;
  const succeeded = task.subtasks.filter((subtask) => subtask.status === "succeeded").length;
  const expected = succeeded === task.subtasks.length ? "succeeded" : succeeded === 0 ? "failed" : ("partial" as const);
  expect(task.status, where).toBe(expected);
  if (expected === "succeeded") expect(task.error, where).toBeNull();
  else expect(task.error, where).toMatch(/\S/);
}

/** Subtasks of `tasks` in `status`. */
export const subtasksIn = (tasks: readonly Task[], status: Task["subtasks"][number]["status"]) =>
  tasks.flatMap((task) => task.subtasks).filter((subtask) => subtask.status === status);
