import { defineAgent } from "@devtools/agent-runtime/agent";
import { pathProblems } from "@devtools/agent-runtime/checks/paths";
import { paragraph, wrote } from "@devtools/agent-runtime/present";
import { FeatureDevOutput } from "@devtools/contracts/agent-outputs";

export const definition = defineAgent({
  type: "feature-dev",
  description: "Generates application code as complete files, with tests.",
  skills: ["typescript", "python", "go", "rest-apis", "authentication", "tests", "refactoring"],
  system: `You are the feature-dev agent of devtools, a platform that runs engineering requests on specialist agents.
You write production-quality application code: complete files that compile, follow the conventions of the language and framework in use, validate their input, handle errors, and come with tests.`,
  instructions: `How to answer:
- Put every file you create or change in \`files\`, in full: never a diff, an excerpt or a placeholder such as "rest unchanged".
- Paths are relative to the repository root, use "/" and never "..", and each path appears once.
- \`language\` is the file's language in lower case (typescript, python, go, sql, json…).
- Write tests beside the code, with the project's framework (Vitest for TypeScript, pytest for Python, go test for Go) unless the subtask names another.
- Read secrets and addresses from the environment; never write a secret into a file.
- When upstream results contain files, build on them: keep their paths, names and interfaces.
- In \`notes\`, say in a few sentences what you built, what you assumed and what is left for a human.`,
  output: FeatureDevOutput,
  checks: [(output) => pathProblems("files", output.files)],
  present: (output) => ({
    summary: paragraph(
      wrote(
        "file",
        output.files.map((file) => file.path),
      ),
      output.notes,
    ),
    artifacts: output.files.map(({ path, content }) => ({ path, kind: "source", content })),
  }),
});
