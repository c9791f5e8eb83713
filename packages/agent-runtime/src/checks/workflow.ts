import { registerHooks } from "node:module";
import { firstProblems } from "./entries.ts";

type WorkflowParser = typeof import("@actions/workflow-parser");

let parser: Promise<WorkflowParser> | undefined;

/**
 * GitHub's workflow parser (@actions/workflow-parser, the one behind the Actions language service),
 * loaded on first use. Its ES build imports its JSON schema without `with { type: "json" }`, which
 * Node refuses; a load hook adds the attribute for that package's JSON files only.
 */
function workflowParser(): Promise<WorkflowParser> {
  parser ??= (() => {
    registerHooks({
      load(url, context, nextLoad) {
        const needsAttribute =
          url.includes("/@actions/workflow-parser/") &&
          url.endsWith(".json") &&
          context.importAttributes.type !== "json";
        return nextLoad(url, needsAttribute ? { ...context, importAttributes: { type: "json" } } : context);
      },
    });
    return import("@actions/workflow-parser");
  })();
  return parser;
}

/**
 * The workflow parses and validates as GitHub Actions reads it: YAML syntax, the workflow schema
 * (`on`, `jobs`, steps…), expressions, and the job graph. Messages carry the line and column.
 */
export async function workflowProblems(content: string, path: string): Promise<string[]> {
  if (content.trim() === "") return ["is empty; write the workflow YAML"];
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await workflowParser();
  const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  // The conversion adds what the schema cannot see (jobs that need unknown or circular jobs…) to the same list.
  if (parsed.value && parsed.context.errors.getErrors().length === 0) {
    await convertWorkflowTemplate(parsed.context, parsed.value);
  }
  return firstProblems(
    parsed.context.errors.getErrors().map((error) => {
      // YAML syntax errors repeat the offending lines after the first; the first line says it all.
      const message = error.rawMessage.split("\n")[0] ?? error.rawMessage;
      const start = error.range?.start;
      return start ? `line ${start.line}, column ${start.column}: ${message}` : message;
    }),
  );
}
