import type { Task } from "@devtools/contracts/task";
import type { Terminal } from "../cli/terminal.ts";
import { formatTokens, shortId } from "./format.ts";

/**
 * The routing plan: the task's line, then stage by stage each subtask's agent, id, description
 * and what it waits for, then the critical path.
 */
export function renderPlan(terminal: Terminal, task: Task): string {
  const byId = new Map(task.subtasks.map((subtask) => [subtask.id, subtask]));
  const name = (id: string) => {
    const subtask = byId.get(id);
    return subtask ? `${subtask.agent_type} ${shortId(id)}` : shortId(id);
  };
  const plan = task.routing_plan;
  const lines = [
    `${terminal.paint("bold", `task ${task.task_id}`)}  ${task.priority} priority · planner ${task.planner} · ` +
      `${task.subtasks.length} subtasks in ${plan.stages.length} stages · ~${plan.estimated_duration_minutes} min · ~${formatTokens(task.estimated_tokens)}`,
  ];
  if (task.planner_note) lines.push(terminal.paint("yellow", `  note: ${task.planner_note}`));
  const width = Math.max(...task.subtasks.map((subtask) => subtask.agent_type.length));
  plan.stages.forEach((stage, index) => {
    const parallel = stage.length > 1 ? ` (${stage.length} in parallel)` : "";
    lines.push(`  stage ${index + 1}${parallel}`);
    for (const id of stage) {
      const subtask = byId.get(id);
      if (!subtask) continue;
      const after =
        subtask.depends_on.length > 0
          ? terminal.paint("gray", `  ← after ${subtask.depends_on.map(name).join(", ")}`)
          : "";
      lines.push(
        `    ${terminal.paint("bold", subtask.agent_type.padEnd(width))}  ${terminal.paint("gray", shortId(id))}  ${subtask.description.replace(/\s+/g, " ")}${after}`,
      );
    }
  });
  if (plan.critical_path.length > 1) {
    lines.push(
      `  critical path: ${plan.critical_path.map((id) => byId.get(id)?.agent_type ?? shortId(id)).join(" → ")}`,
    );
  }
  return lines.join("\n");
}
