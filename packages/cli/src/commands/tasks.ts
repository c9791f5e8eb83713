import { TASK_STATUSES } from "@devtools/contracts/task";
import { TaskApi } from "../api/task-api.ts";
import { API_OPTIONS, API_OPTIONS_HELP, type Command, integer, oneOf, parseCommandArgs } from "../cli/command.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { formatTimestamp, truncate } from "../render/format.ts";
import { paintStatus } from "../render/status-style.ts";
import { renderTable } from "../render/table.ts";

const NAME = "tasks";
const OPTIONS = {
  ...API_OPTIONS,
  status: { type: "string" },
  limit: { type: "string", default: "20" },
  cursor: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

export const tasksCommand: Command = {
  name: NAME,
  summary: "list tasks, newest first",
  help: `Usage: devtools tasks [options]

Lists tasks, newest first: id, status, priority, subtasks, when created, and the request.

Options:
  --status <s>     only tasks in this status: ${TASK_STATUSES.join(", ")}
  --limit <n>      how many (1 to 100, default 20)
  --cursor <c>     the next page, as the previous page's last line says
  --json           the page as JSON ({items, next_cursor})
${API_OPTIONS_HELP}
  -h, --help       this help`,

  async run(argv, { env, terminal, signal }) {
    const { values } = parseCommandArgs(NAME, argv, OPTIONS, { min: 0, max: 0, names: "" });
    const status = values.status === undefined ? undefined : oneOf(NAME, "status", values.status, TASK_STATUSES);
    const limit = integer(NAME, "limit", values.limit, 1, 100);
    const api = TaskApi.for(env, { url: values.url, orchestratorUrl: values["orchestrator-url"] });
    try {
      const { page, raw } = await api.list({ status, limit, cursor: values.cursor }, signal);
      if (values.json) {
        terminal.out(`${JSON.stringify(raw, null, 2)}\n`);
        return ExitCode.ok;
      }
      if (page.items.length === 0) {
        terminal.out(status ? `no ${status} tasks\n` : 'no tasks yet: devtools orchestrate "<request>" starts one\n');
        return ExitCode.ok;
      }
      const header = ["ID", "STATUS", "PRIORITY", "SUBTASKS", "CREATED", "REQUEST"];
      const fixedWidth = 36 + 9 + 8 + 8 + 19 + 5 * 2;
      const requestWidth = Math.max(20, terminal.columns() - fixedWidth - 1);
      const rows = page.items.map((task) => [
        task.task_id,
        task.status,
        task.priority,
        String(task.subtask_count),
        formatTimestamp(task.created_at),
        truncate(task.description, requestWidth),
      ]);
      const table = renderTable(header, rows, (cell, row, column) => {
        const task = page.items[row];
        return column === 1 && task ? paintStatus(terminal, task.status, cell) : cell;
      });
      terminal.out(`${table}\n`);
      if (page.next_cursor) {
        const filter = status ? ` --status ${status}` : "";
        terminal.out(`more: devtools tasks${filter} --limit ${limit} --cursor ${page.next_cursor}\n`);
      }
      return ExitCode.ok;
    } finally {
      await api.close();
    }
  },
};
