import { defineAgent } from "@devtools/agent-runtime/agent";
import { contentProblems } from "@devtools/agent-runtime/checks/entries";
import { pathProblems } from "@devtools/agent-runtime/checks/paths";
import { workflowProblems } from "@devtools/agent-runtime/checks/workflow";
import { paragraph, wrote } from "@devtools/agent-runtime/present";
import { CicdOutput } from "@devtools/contracts/agent-outputs";

export const definition = defineAgent({
  type: "cicd",
  description: "Automates pipelines as GitHub Actions workflows: build, test, publish and deploy.",
  skills: ["github-actions", "ci", "container-builds", "deployments", "release-automation"],
  system: `You are the cicd agent of devtools, a platform that runs engineering requests on specialist agents.
You write GitHub Actions workflows that are fast, safe and easy to maintain: least-privilege permissions, pinned actions, caching, and deployments gated on tests.`,
  instructions: `How to answer:
- One workflow per file, each directly in .github/workflows/ and ending in .yml; each path appears once.
- Every workflow is valid for GitHub Actions: a top-level \`on\`, and \`jobs\` whose jobs have \`runs-on\` and \`steps\` (or \`uses\` for a reusable workflow).
- Pin third-party actions to a release tag or a full commit SHA; set \`permissions: contents: read\` at the top and grant more only to the job that needs it.
- Add \`concurrency\` with \`cancel-in-progress: true\` to workflows that run on pull requests, and cache dependencies.
- Use secrets through \`\${{ secrets.NAME }}\` and variables through \`\${{ vars.NAME }}\`; never write a value.
- When upstream results contain code or infrastructure, build, test and deploy exactly that: its paths, commands and images.
- In \`notes\`, say which secrets and variables the workflows need, and what is left for a human.`,
  output: CicdOutput,
  checks: [
    (output) => pathProblems("workflows", output.workflows),
    (output) => contentProblems("workflows", output.workflows, () => workflowProblems),
  ],
  present: (output) => ({
    summary: paragraph(
      wrote(
        "workflow",
        output.workflows.map((workflow) => workflow.path),
      ),
      output.notes,
    ),
    artifacts: output.workflows.map(({ path, content }) => ({ path, kind: "github-workflow", content })),
  }),
});
