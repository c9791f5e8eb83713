import { TaskApi } from "../api/task-api.ts";
import { API_OPTIONS, API_OPTIONS_HELP, type Command, parseCommandArgs, taskId } from "../cli/command.ts";
import { ExitCode } from "../cli/exit-codes.ts";

const NAME = "cancel";
const OPTIONS = { ...API_OPTIONS, json: { type: "boolean", default: false } } as const;

export const cancelCommand: Command = {
  name: NAME,
  summary: "cancel a task: pending subtasks never run, running ones are aborted",
  help: `Usage: devtools cancel <id> [options]

Cancels a task: its pending subtasks are cancelled and the running ones aborted at their agent.
Subtasks that already succeeded keep their results.

Options:
  --json           the cancelled task as JSON
${API_OPTIONS_HELP}
  -h, --help       this help

Exit status: 0 cancelled; 1 no such task, or it had already ended; 2 usage error; 3 the stack is not reachable.`,

  async run(argv, { env, terminal, signal }) {
    const { values, positionals } = parseCommandArgs(NAME, argv, OPTIONS, { min: 1, max: 1, names: "the task id" });
    const id = taskId(NAME, positionals[0] ?? "");
    const api = TaskApi.for(env, { url: values.url, orchestratorUrl: values["orchestrator-url"] });
    try {
      const task = await api.cancel(id, signal);
      if (values.json) {
        terminal.out(`${JSON.stringify(task, null, 2)}\n`);
        return ExitCode.ok;
      }
      const cancelled = task.subtasks.filter((subtask) => subtask.status === "cancelled").length;
      const kept = task.subtasks.filter((subtask) => subtask.status === "succeeded").length;
      terminal.out(
        `cancelled task ${task.task_id}: ${cancelled} subtask${cancelled === 1 ? "" : "s"} cancelled, ${kept} succeeded before and keep their results\n`,
      );
      return ExitCode.ok;
    } finally {
      await api.close();
    }
  },
};
