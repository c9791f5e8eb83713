import { generateSentence } from "./prose.ts";
import type { Rng } from "./random.ts";
import { slugOf, type Topic } from "./topic.ts";

/** What a generated file is: a programming language, or a kind of configuration with its own syntax. */
export type FileKind = string;

/** Where a field sits: the fields of its object made so far, and the name of the object or list item. */
export interface FieldContext {
  siblings: Readonly<Record<string, unknown>>;
  parent: string;
}

export const NO_CONTEXT: FieldContext = { siblings: {}, parent: "" };

const EXTENSIONS: Record<string, string> = {
  typescript: "ts",
  javascript: "js",
  python: "py",
  go: "go",
  rust: "rs",
  java: "java",
  hcl: "tf",
  terraform: "tf",
  yaml: "yml",
  bash: "sh",
  sql: "sql",
  markdown: "md",
};

const BY_EXTENSION: Record<string, FileKind> = Object.fromEntries([
  ...Object.entries(EXTENSIONS).map(([kind, extension]) => [extension, kind]),
  ["yaml", "yaml"],
  ["tf", "terraform"],
]);

/**
 * The kind of file a field describes, read the way a model reads it: a sibling `kind` or `language`,
 * the sibling path's name, or what the list is called (`workflows`, `documents`), else the topic.
 */
export function fileKindOf(context: FieldContext, topic: Topic): FileKind {
  const { kind, language, path } = context.siblings;
  if (typeof kind === "string" && kind) return kind.toLowerCase();
  if (typeof path === "string" && path) {
    if (/(^|\/)Dockerfile/.test(path)) return "dockerfile";
    if (/\.github\/workflows\//.test(path)) return "workflow";
    if (/(^|\/)(docker-)?compose\.ya?ml$/.test(path)) return "compose";
    if (/(^|\/)(k8s|kubernetes|deploy)\//.test(path) && /\.ya?ml$/.test(path)) return "kubernetes";
    const extension = path.split(".").at(-1) ?? "";
    if (BY_EXTENSION[extension]) return BY_EXTENSION[extension];
  }
  if (typeof language === "string" && language) return language.toLowerCase();
  if (/workflow/.test(context.parent)) return "workflow";
  if (/document|doc|page|guide/.test(context.parent)) return "markdown";
  return topic.language === "hcl" ? "terraform" : topic.language === "yaml" ? "workflow" : topic.language;
}

/** A file path for a file of `kind`, named after two topic words. */
export function pathFor(kind: FileKind, topic: Topic, rng: Rng): string {
  const first = rng.pick(topic.words);
  const second = rng.pick(topic.words.filter((word) => word !== first).concat(first));
  const slug = slugOf(first === second ? [first] : [first, second], 2);
  switch (kind) {
    case "dockerfile":
      return "Dockerfile";
    case "compose":
      return "compose.yaml";
    case "kubernetes":
      return `k8s/${slug}.yaml`;
    case "workflow":
    case "yaml":
      return `.github/workflows/${slug}.yml`;
    case "markdown":
      return `docs/${slug}.md`;
    case "terraform":
      return `infra/${slug}.tf`;
    default:
      return `src/${slug}.${EXTENSIONS[kind] ?? "txt"}`;
  }
}

const titleOf = (topic: Topic) =>
  topic.words
    .slice(0, 4)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");

/** A few lines of a file of `kind` that its own parser accepts, mentioning the topic. */
export function contentFor(kind: FileKind, topic: Topic, rng: Rng): string {
  const slug = slugOf(topic.words, 2) || "app";
  const name = slug.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  const note = generateSentence(topic, rng);
  switch (kind) {
    case "dockerfile":
      return `FROM node:24-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\nCMD ["node", "src/main.ts"]\n`;
    case "compose":
      return `services:\n  ${slug}:\n    build: .\n    ports:\n      - "8080:8080"\n    restart: unless-stopped\n`;
    case "kubernetes":
      return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${slug}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ${slug}\n  template:\n    metadata:\n      labels:\n        app: ${slug}\n    spec:\n      containers:\n        - name: ${slug}\n          image: ghcr.io/example/${slug}:1.0.0\n`;
    case "workflow":
    case "yaml":
      return `name: ${slug}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n`;
    case "terraform":
    case "hcl":
      return `resource "null_resource" "${slug.replace(/-/g, "_")}" {\n  # ${note}\n}\n`;
    case "markdown":
      return `# ${titleOf(topic)}\n\n${note}\n`;
    case "python":
      return `def ${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}(request):\n    """${note}"""\n    return {"status": "ok"}\n`;
    case "sql":
      return `-- ${note}\nSELECT id, status FROM ${slug.replace(/-/g, "_")} WHERE status = 'active';\n`;
    default:
      return `// ${note}\nexport function ${name}(input: string): string {\n  return input.trim();\n}\n`;
  }
}

export { titleOf };
