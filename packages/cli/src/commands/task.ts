import { TaskApi } from "../api/task-api.ts";
import { API_OPTIONS, API_OPTIONS_HELP, type Command, parseCommandArgs, taskId } from "../cli/command.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { renderTaskDetails } from "../render/task-details.ts";

const NAME = "task";
const OPTIONS = { ...API_OPTIONS, json: { type: "boolean", default: false } } as const;

export const taskCommand: Command = {
  name: NAME,
  summary: "show a task: its status, subtasks, summaries and artifacts",
  help: `Usage: devtools task <id> [options]

Shows a task: request, status, timings and tokens, then each subtask with its status, elapsed
time, tokens, the agent's summary and the artifacts it produced (or why it failed).

Options:
  --json           the task as the API returns it (the Task contract)
${API_OPTIONS_HELP}
  -h, --help       this help`,

  async run(argv, { env, terminal, signal }) {
    const { values, positionals } = parseCommandArgs(NAME, argv, OPTIONS, { min: 1, max: 1, names: "the task id" });
    const id = taskId(NAME, positionals[0] ?? "");
    const api = TaskApi.for(env, { url: values.url, orchestratorUrl: values["orchestrator-url"] });
    try {
      const { task, raw } = await api.task(id, signal);
      terminal.out(`${values.json ? JSON.stringify(raw, null, 2) : renderTaskDetails(terminal, task)}\n`);
      return ExitCode.ok;
    } finally {
      await api.close();
    }
  },
};
