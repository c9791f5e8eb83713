import { relative } from "node:path";
import { PRIORITIES, type Task } from "@devtools/contracts/task";
import { followTaskEvents } from "../api/follow-task-events.ts";
import { type OrchestrateInput, TaskApi } from "../api/task-api.ts";
import { type WrittenArtifacts, writeArtifacts } from "../artifacts/write-artifacts.ts";
import {
  API_OPTIONS,
  API_OPTIONS_HELP,
  type Command,
  type CommandContext,
  integer,
  oneOf,
  parseCommandArgs,
} from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/exit-codes.ts";
import { LineProgressView, type ProgressView, RedrawingProgressView } from "../progress/progress-view.ts";
import { TaskProgress } from "../progress/task-progress.ts";
import { renderPlan } from "../render/plan.ts";

const NAME = "orchestrate";
const PLANNERS = ["auto", "llm", "rules"] as const;
const LISTED_FILES = 20;

const OPTIONS = {
  ...API_OPTIONS,
  priority: { type: "string", default: "medium" },
  planner: { type: "string", default: "auto" },
  "max-tokens": { type: "string" },
  wait: { type: "boolean", default: false },
  out: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

export const orchestrateCommand: Command = {
  name: NAME,
  summary: "plan a request into subtasks; with --wait, watch them run and save the artifacts",
  help: `Usage: devtools orchestrate "<request>" [options]

Plans the request into subtasks for the specialist agents and prints the plan: stages, subtasks,
agents and what each waits for. With --wait it then shows each subtask's progress live (status,
elapsed time, tokens) from the task's event stream, and when the task ends writes task.json and
every artifact into a folder: <out>/<agent>/<path>.

Options:
  --priority <p>       low, medium, high or critical (default: medium)
  --planner <p>        auto, llm or rules (default: auto)
  --max-tokens <n>     token budget: once spent, the remaining subtasks are skipped
  --wait               follow the task to its end and write its artifacts
  --out <dir>          where --wait writes them (default: ./devtools-<task id>)
  --json               print the task as JSON instead (the plan; with --wait, the finished task)
${API_OPTIONS_HELP}
  -h, --help           this help

Exit status: 0 planned (without --wait) or succeeded; 1 failed, partial or cancelled;
2 usage error or a request the API refused; 3 the stack is not reachable; 130 Ctrl-C (the task goes on).`,

  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(NAME, argv, OPTIONS, {
      min: 1,
      max: Number.POSITIVE_INFINITY,
      names: 'the request, e.g. devtools orchestrate "Deploy new API endpoint with authentication"',
    });
    const description = positionals.join(" ").trim();
    if (!description) throw new UsageError("the request must not be empty", NAME);
    const input: OrchestrateInput = {
      description,
      priority: oneOf(NAME, "priority", values.priority, PRIORITIES),
      planner: oneOf(NAME, "planner", values.planner, PLANNERS),
      ...(values["max-tokens"] === undefined
        ? {}
        : { max_tokens: integer(NAME, "max-tokens", values["max-tokens"], 1, 2_147_483_647) }),
    };
    const { terminal } = context;
    const api = TaskApi.for(context.env, { url: values.url, orchestratorUrl: values["orchestrator-url"] });
    try {
      const task = await api.orchestrate(input, context.signal);
      if (!values.wait) {
        if (values.json) terminal.out(`${JSON.stringify(task, null, 2)}\n`);
        else {
          terminal.out(`${renderPlan(terminal, task)}\n\n`);
          terminal.out(`task id: ${task.task_id}\n`);
          terminal.out(`follow it: devtools task ${task.task_id}   cancel it: devtools cancel ${task.task_id}\n`);
        }
        return ExitCode.ok;
      }
      if (!values.json) terminal.out(`${renderPlan(terminal, task)}\n\n`);
      const finished = await watch(api, task, context, values.json);
      if (finished === undefined) {
        terminal.err(
          `\nstopped watching; task ${task.task_id} goes on: devtools task ${task.task_id} (or devtools cancel ${task.task_id})\n`,
        );
        return ExitCode.interrupted;
      }
      const written = await writeArtifacts(finished, values.out ?? `devtools-${finished.task_id}`);
      if (values.json) terminal.out(`${JSON.stringify(finished, null, 2)}\n`);
      else terminal.out(summary(finished, written));
      for (const refused of written.refused) {
        terminal.err(
          `refused artifact "${refused.path}" of subtask ${refused.subtaskId}: its path ${refused.reason}\n`,
        );
      }
      return finished.status === "succeeded" ? ExitCode.ok : ExitCode.failed;
    } finally {
      await api.close();
    }
  },
};

/** Shows the task's progress until it ends, then reads it whole; undefined when Ctrl-C stopped the watch. */
async function watch(api: TaskApi, task: Task, context: CommandContext, quiet: boolean): Promise<Task | undefined> {
  const { terminal, signal } = context;
  const progress = new TaskProgress(task);
  let view: ProgressView | undefined;
  if (!quiet)
    view = terminal.interactive ? new RedrawingProgressView(terminal, progress) : new LineProgressView(terminal);
  try {
    const events = followTaskEvents(api, task.task_id, {
      signal,
      onReconnect: (reason, after) => view?.notice(`event stream broke (${reason}); resuming after event ${after}`),
    });
    for await (const event of events) {
      const change = progress.apply(event);
      if (change) view?.changed(change, progress);
    }
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    view?.stop();
  }
  return (await api.task(task.task_id, signal)).task;
}

function summary(task: Task, written: WrittenArtifacts): string {
  const lines = [""];
  if (task.error) lines.push(`${task.status}: ${task.error}`);
  const folder = relative(process.cwd(), written.folder) || ".";
  const artifacts = written.files.length - 1;
  lines.push(`${artifacts} artifact${artifacts === 1 ? "" : "s"} and task.json written to ${folder}/`);
  for (const file of written.files.slice(1, LISTED_FILES + 1)) lines.push(`  ${file}`);
  if (artifacts > LISTED_FILES) lines.push(`  … and ${artifacts - LISTED_FILES} more`);
  return `${lines.join("\n")}\n`;
}
