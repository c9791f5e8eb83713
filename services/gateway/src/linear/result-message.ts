import type { Task } from "@devtools/contracts/task";

// Linear accepts long bodies, but a wall of text helps nobody: each summary is cut to this.
const SUMMARY_LIMIT = 600;

const cut = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);

/** The Markdown that tells a Linear issue how its task ended, with a link to the task. */
export function taskResultMarkdown(task: Task, taskUrl: string): string {
  const lines = [`**devtools task ${task.status}** · [task ${task.task_id}](${taskUrl})`, ""];
  for (const subtask of task.subtasks) {
    const what = subtask.result?.summary ?? subtask.error ?? subtask.description;
    lines.push(`- **${subtask.agent_type}** (${subtask.status}): ${cut(what.replaceAll("\n", " "), SUMMARY_LIMIT)}`);
  }
  if (task.error) lines.push("", `Error: ${cut(task.error, SUMMARY_LIMIT)}`);
  lines.push("", `Tokens used: ${task.usage.total_tokens}.`);
  return lines.join("\n");
}

/** The Markdown for a task that could not be started. */
export function taskNotStartedMarkdown(reason: string): string {
  return `**devtools could not start a task for this issue.**\n\n${cut(reason, SUMMARY_LIMIT)}`;
}
