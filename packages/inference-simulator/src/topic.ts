/** What a prompt is about, as far as word statistics can tell: the raw material of generated content. */
export interface Topic {
  /** Content words of the last user message, in order of first use, without stop words. */
  words: string[];
  /** The opening of the last user message, cut at a sentence end or ~12 words. */
  phrase: string;
  /** The programming language the prompt mentions, else "typescript". */
  language: string;
  /** File paths the prompt mentions (`src/auth.py`, `Dockerfile`), reused for path fields. */
  paths: string[];
}

const STOP_WORDS = new Set(
  `a an and are as at be been but by can could do does for from has have how i if in into is it its
  me my of on or our please should so that the their them then there these this those to us was we
  were what when where which while who why will with would you your all any also just more most
  new not only other some such than very via use using make need want write create add give return
  json respond response answer output format following given based each about like must`.split(/\s+/),
);

const LANGUAGES: [RegExp, string][] = [
  [/\b(python|django|fastapi|flask|pytest|\.py)\b/i, "python"],
  [/\b(typescript|\.ts|hono|deno|tsx)\b/i, "typescript"],
  [/\b(javascript|node\.?js|react|express|\.js)\b/i, "javascript"],
  [/\b(golang|go module|\.go)\b/i, "go"],
  [/\b(rust|cargo|\.rs)\b/i, "rust"],
  [/\b(java|spring|kotlin)\b/i, "java"],
  [/\b(terraform|hcl|\.tf)\b/i, "hcl"],
  [/\b(dockerfile|docker image|container image)\b/i, "dockerfile"],
  [/\b(kubernetes|k8s|helm|github actions|workflow|compose|yaml|yml)\b/i, "yaml"],
  [/\b(bash|shell script|\.sh)\b/i, "bash"],
  [/\b(sql|postgres|postgresql|migration)\b/i, "sql"],
  [/\b(markdown|readme|documentation|docs)\b/i, "markdown"],
];

const MAX_TOPIC_CHARS = 8_000;
const DEFAULT_WORDS = ["service", "request", "configuration", "tests"];
const PATH =
  /(?:[\w.-]+\/)+[\w.-]+\.\w{1,5}\b|\b[\w-]+\.(?:ts|tsx|js|mjs|py|go|rs|java|tf|ya?ml|json|md|sh|sql|toml)\b|\bDockerfile\b/g;

/** Reads the topic of `text` (the last user message, usually). */
export function topicOf(fullText: string): Topic {
  // The opening of a long prompt says what it is about; reading all of it would only cost time.
  const text = fullText.slice(0, MAX_TOPIC_CHARS);
  const seen = new Set<string>();
  const words: string[] = [];
  for (const match of text.matchAll(/[\p{L}][\p{L}\p{N}_.\-/]*[\p{L}\p{N}]|\p{L}{3,}/gu)) {
    // "Review the handler" → "review": a capital that only starts a sentence is not part of the word.
    const before = text.slice(Math.max(0, match.index - 3), match.index);
    const sentenceStart = match.index === 0 || /([.!?]\s+|\n\s*)$/.test(before);
    const word = sentenceStart ? lowerFirst(match[0]) : match[0];
    const key = word.toLowerCase();
    if (key.length < 3 || STOP_WORDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    words.push(word);
  }
  const firstSentence = text.trim().split(/(?<=[.!?])\s|\n/)[0] ?? "";
  const phraseWords = firstSentence.split(/\s+/).filter((word) => word !== "");
  const phrase = phraseWords
    .slice(0, 12)
    .join(" ")
    .replace(/[.!?:;,]+$/, "");
  const language = LANGUAGES.find(([pattern]) => pattern.test(text))?.[1] ?? "typescript";
  const paths = [...new Set(Array.from(text.matchAll(PATH), (match) => match[0]))];
  return {
    words: words.length > 0 ? words : DEFAULT_WORDS,
    phrase: phrase !== "" ? lowerFirst(phrase) : "the request",
    language,
    paths,
  };
}

function lowerFirst(text: string): string {
  // Keep acronyms and names ("API", "Linear") as they are.
  return /^\p{Lu}\p{Ll}/u.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** kebab-case from up to `count` topic words, for slugs, file names and branch names. */
export function slugOf(words: readonly string[], count = 3): string {
  const slug = words
    .slice(0, count)
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "item";
}
