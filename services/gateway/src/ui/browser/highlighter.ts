/// <reference lib="dom" />

/** The part of highlight.js's API the page uses. */
interface HighlightJs {
  registerLanguage(name: string, grammar: unknown): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
}

const VENDOR = "/ui/vendor/highlight";

// File name → highlight.js language; anything else is shown as plain, escaped text.
const BY_EXTENSION: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  yml: "yaml",
  yaml: "yaml",
  md: "markdown",
  py: "python",
  go: "go",
  rs: "rust",
  java: "java",
  kt: "kotlin",
  rb: "ruby",
  sh: "bash",
  bash: "bash",
  sql: "sql",
  css: "css",
  html: "xml",
  xml: "xml",
  toml: "ini",
  ini: "ini",
  tf: "ini",
  hcl: "ini",
  dockerfile: "dockerfile",
};
const BY_KIND: Record<string, string> = {
  dockerfile: "dockerfile",
  compose: "yaml",
  kubernetes: "yaml",
  workflow: "yaml",
  terraform: "ini",
  markdown: "markdown",
};

/** The highlight.js language for an artifact, from its file name, else its kind; undefined for plain text. */
export function languageOf(path: string, kind: string): string | undefined {
  const name = path.split("/").pop()?.toLowerCase() ?? "";
  if (name === "dockerfile" || name.startsWith("dockerfile.")) return "dockerfile";
  if (name === "makefile") return "makefile";
  const extension = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "";
  return BY_EXTENSION[extension] ?? BY_KIND[kind.toLowerCase()];
}

let core: Promise<HighlightJs> | undefined;
const languages = new Map<string, Promise<boolean>>();

// Module URLs are variables so that the type checker does not look for them; the gateway serves them.
const load = (url: string): Promise<{ default: unknown }> => import(url);

async function withLanguage(language: string): Promise<HighlightJs | undefined> {
  core ??= load(`${VENDOR}/core.js`).then((module) => module.default as HighlightJs);
  const hljs = await core;
  let registered = languages.get(language);
  if (!registered) {
    registered = load(`${VENDOR}/languages/${language}.js`).then(
      (module) => {
        hljs.registerLanguage(language, module.default);
        return true;
      },
      () => false,
    );
    languages.set(language, registered);
  }
  return (await registered) ? hljs : undefined;
}

/**
 * Fills `target` (a `<code>`) with `code`, highlighted when its language is known. highlight.js
 * and each grammar load on first use, so the task list never pays for them.
 */
export async function highlightInto(target: HTMLElement, code: string, language: string | undefined): Promise<void> {
  target.classList.add("hljs");
  target.textContent = code;
  if (!language) return;
  const hljs = await withLanguage(language);
  if (!hljs) return;
  // highlight.js escapes the code and adds only <span class="hljs-…"> around it.
  target.innerHTML = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  target.classList.add(`language-${language}`);
  target.dataset.language = language;
}
