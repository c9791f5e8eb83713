import { describe, expect, it } from "vitest";
import { composeProblems } from "../src/checks/compose.ts";
import { dockerfileProblems } from "../src/checks/dockerfile.ts";
import { contentProblems } from "../src/checks/entries.ts";
import { kubernetesProblems } from "../src/checks/kubernetes.ts";
import { markdownProblems } from "../src/checks/markdown.ts";
import { pathProblems } from "../src/checks/paths.ts";
import { reviewProblems } from "../src/checks/review.ts";
import { workflowProblems } from "../src/checks/workflow.ts";
import { yamlProblems } from "../src/checks/yaml.ts";

const WORKFLOW = `name: ci
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`;

describe("dockerfileProblems", () => {
  it("accepts a multi-stage Dockerfile with ARG before FROM, a parser directive and a heredoc", () => {
    const dockerfile = [
      "# syntax=docker/dockerfile:1",
      "ARG NODE=24",
      `FROM node:\${NODE}-slim AS build`,
      "RUN <<SCRIPT",
      "npm ci",
      "SCRIPT",
      `FROM node:\${NODE}-slim`,
      "COPY --from=build /app /app",
      "USER node",
      'CMD ["node", "/app/main.js"]',
    ].join("\n");
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it("flags a Dockerfile without FROM, an instruction before FROM and unknown instructions, with lines", () => {
    expect(dockerfileProblems("RUN make\nFRUM node\n")).toEqual([
      'line 2: unknown instruction "FRUM"',
      "has no FROM instruction; a Dockerfile must start from a base image",
    ]);
    expect(dockerfileProblems("WORKDIR /app\nFROM node:24\n")).toEqual([
      "line 1: WORKDIR comes before the first FROM; only ARG may",
    ]);
    expect(dockerfileProblems("FROM\n")).toEqual(["line 1: FROM names no image"]);
    expect(dockerfileProblems("  \n")).toEqual(["is empty; write the Dockerfile"]);
  });

  it("flags prose as unknown instructions rather than accepting it", () => {
    expect(dockerfileProblems("This image runs the API.\n")).toContain('line 1: unknown instruction "This"');
  });
});

describe("composeProblems", () => {
  it("accepts a Compose file the specification allows", () => {
    const compose = [
      "services:",
      "  api:",
      "    build: .",
      '    ports: ["8080:8080"]',
      "    environment:",
      `      DATABASE_URL: \${DATABASE_URL}`,
      "    depends_on: [db]",
      "  db:",
      "    image: postgres:17",
      "    volumes: [data:/var/lib/postgresql/data]",
      "volumes:",
      "  data: {}",
    ].join("\n");
    expect(composeProblems(compose)).toEqual([]);
  });

  it("names unknown properties and wrong types where they are", () => {
    expect(composeProblems("services:\n  api:\n    imagee: nginx\n")).toEqual([
      'services.api: "imagee" is not a Compose property',
    ]);
    expect(composeProblems("services:\n  api:\n    image: nginx\n    ports: 8080\n")).toEqual([
      "services.api.ports: must be array",
    ]);
    expect(composeProblems("name: ci\non: [push]\n")).toEqual(['the top level: "on" is not a Compose property']);
  });

  it("reports YAML syntax errors with their line before any schema", () => {
    expect(composeProblems("services:\n  api: [nginx\n")[0]).toMatch(/^YAML syntax error at line \d+/);
  });
});

describe("kubernetesProblems", () => {
  it("accepts several objects in one manifest", () => {
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: api",
      "---",
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: api",
    ].join("\n");
    expect(kubernetesProblems(manifest)).toEqual([]);
  });

  it("names what an object lacks, and which document it is", () => {
    expect(kubernetesProblems("apiVersion: v1\nkind: Service\n---\nkind: Pod\nmetadata: {}\n")).toEqual([
      "document 1: metadata.name is missing",
      "document 2: apiVersion is missing",
      "document 2: metadata.name is missing",
    ]);
    expect(kubernetesProblems("- a\n- b\n")).toEqual(["a Kubernetes object must be a YAML mapping"]);
  });
});

describe("workflowProblems", () => {
  it("accepts a workflow GitHub would run", async () => {
    expect(await workflowProblems(WORKFLOW, ".github/workflows/ci.yml")).toEqual([]);
  });

  it("reports GitHub's parser's errors with their line and column", async () => {
    const withoutOn = WORKFLOW.replace("on:\n  pull_request:\n", "");
    expect(await workflowProblems(withoutOn, ".github/workflows/ci.yml")).toEqual([
      "line 1, column 1: Required property is missing: on",
    ]);
    const misspelt = WORKFLOW.replace("    steps:", "    stepz:");
    expect(await workflowProblems(misspelt, ".github/workflows/ci.yml")).toContain(
      "line 9, column 5: Unexpected value 'stepz'",
    );
  });

  it("reports expression errors and a job graph GitHub refuses", async () => {
    const badExpression = WORKFLOW.replace("npm test", `echo \${{ nonsense.value }}`);
    expect((await workflowProblems(badExpression, "ci.yml"))[0]).toContain("Unrecognized named-value: 'nonsense'");
    const needsItself = WORKFLOW.replace("    runs-on:", "    needs: [test]\n    runs-on:");
    expect(await workflowProblems(needsItself, "ci.yml")).not.toEqual([]);
  });

  it("reports broken YAML on one line", async () => {
    const problems = await workflowProblems("on: [push\njobs: {}\n", "ci.yml");
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain("\n");
  });
});

describe("yamlProblems", () => {
  it("accepts YAML and reports a syntax error with its place", () => {
    expect(yamlProblems("a: 1\nb: [2, 3]\n")).toEqual([]);
    expect(yamlProblems("a: 1\n b: 2\n")[0]).toBe(
      "YAML syntax error at line 1, column 4: Nested mappings are not allowed in compact mappings",
    );
    expect(yamlProblems("")).toEqual(["is empty"]);
  });
});

describe("markdownProblems", () => {
  it("accepts a document whose code blocks are closed", () => {
    expect(markdownProblems("# Title\n\n```sh\nnpm start\n```\n\n~~~\nplain\n~~~\n")).toEqual([]);
  });

  it("flags an empty document and an unclosed code block", () => {
    expect(markdownProblems(" \n")).toEqual(["is empty; write the document's Markdown"]);
    expect(markdownProblems("# Title\n\n```ts\nconst a = 1;\n")).toEqual([
      "line 3: the code block opened with ``` is never closed",
    ]);
  });
});

describe("pathProblems", () => {
  it("accepts relative paths used once", () => {
    expect(pathProblems("files", [{ path: "src/a.ts" }, { path: "test/a.test.ts" }, { path: ".env.example" }])).toEqual(
      [],
    );
  });

  it("flags absolute paths, .., backslashes, empty segments and duplicates, where they are", () => {
    const problems = pathProblems("files", [
      { path: "/etc/passwd" },
      { path: "src/../../secrets" },
      { path: "src\\a.ts" },
      { path: "src//a.ts" },
      { path: "src/a.ts" },
      { path: "src/a.ts" },
      { path: "C:/a.ts" },
    ]);
    expect(problems.map((problem) => problem.path)).toEqual([
      "files[0].path",
      "files[1].path",
      "files[2].path",
      "files[3].path",
      "files[5].path",
      "files[6].path",
    ]);
    expect(problems[1]?.message).toContain('".."');
    expect(problems[4]?.message).toContain("already used by files[4]");
  });

  it("requires an extension when asked", () => {
    expect(pathProblems("documents", [{ path: "docs/a.md" }, { path: "docs/b.txt" }], { extension: ".md" })).toEqual([
      { path: "documents[1].path", message: '"docs/b.txt" must end in .md' },
    ]);
  });
});

describe("reviewProblems", () => {
  const finding = { severity: "low", file: "src/a.ts", line: 3 };

  it("accepts a consistent review", () => {
    expect(reviewProblems({ findings: [finding], verdict: "approve" })).toEqual([]);
    expect(reviewProblems({ findings: [], verdict: "approve" })).toEqual([]);
  });

  it("flags an approval with critical findings, a line without a file and an absolute file", () => {
    const problems = reviewProblems({
      findings: [
        { ...finding, severity: "critical" },
        { ...finding, file: null },
        { ...finding, file: "/src/a.ts" },
      ],
      verdict: "approve",
    });
    expect(problems.map((problem) => problem.path)).toEqual(["findings[1].line", "findings[2].file", "verdict"]);
  });
});

describe("contentProblems", () => {
  it("places each problem at its entry's content and names the file", async () => {
    const problems = await contentProblems(
      "artifacts",
      [
        { path: "Dockerfile", kind: "dockerfile", content: "FROM node:24\n" },
        { path: "compose.yaml", kind: "compose", content: "services: {api: {imagee: x}}\n" },
        { path: "main.tf", kind: "terraform", content: "anything" },
      ],
      (artifact) =>
        artifact.kind === "compose" ? composeProblems : artifact.kind === "dockerfile" ? dockerfileProblems : undefined,
    );
    expect(problems).toEqual([
      { path: "artifacts[1].content", message: 'compose.yaml: services.api: "imagee" is not a Compose property' },
    ]);
  });
});
