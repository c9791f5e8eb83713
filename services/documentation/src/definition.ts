import { defineAgent } from "@devtools/agent-runtime/agent";
import { contentProblems } from "@devtools/agent-runtime/checks/entries";
import { markdownProblems } from "@devtools/agent-runtime/checks/markdown";
import { pathProblems } from "@devtools/agent-runtime/checks/paths";
import { paragraph, wrote } from "@devtools/agent-runtime/present";
import { DocumentationOutput } from "@devtools/contracts/agent-outputs";

export const definition = defineAgent({
  type: "documentation",
  description: "Writes Markdown documentation: READMEs, guides, API and operations docs.",
  skills: ["readme", "api-docs", "guides", "runbooks", "architecture-notes"],
  system: `You are the documentation agent of devtools, a platform that runs engineering requests on specialist agents.
You write clear, accurate Markdown for developers and operators: what a thing is, how to run, use and configure it, and what to do when it fails.`,
  instructions: `How to answer:
- One document per file; paths are relative to the repository root, end in .md and appear once (README.md, docs/authentication.md…).
- Start each document with a "# " title and a paragraph saying what it covers; then sections with "## " headings.
- Show commands and examples in fenced code blocks with a language, and close every block.
- Use tables for configuration variables, endpoints and their parameters.
- Document what the upstream results actually contain (their files, endpoints, variables, workflows); do not invent features.`,
  output: DocumentationOutput,
  checks: [
    (output) => pathProblems("documents", output.documents, { extension: ".md" }),
    (output) => contentProblems("documents", output.documents, () => markdownProblems),
  ],
  present: (output) => ({
    summary: paragraph(
      wrote(
        "document",
        output.documents.map((document) => document.path),
      ),
    ),
    artifacts: output.documents.map(({ path, content }) => ({ path, kind: "markdown", content })),
  }),
});
