import { contentFor, type FieldContext, fileKindOf, NO_CONTEXT, pathFor, titleOf } from "./file-kinds.ts";
import { generateSentence } from "./prose.ts";
import type { Rng } from "./random.ts";
import { uuidFrom } from "./string-formats.ts";
import { slugOf, type Topic } from "./topic.ts";

/** A field name as lowercase words: "filePath", "file_path" and "file-path" all give ["file", "path"]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
}

const has = (words: readonly string[], ...candidates: string[]) => candidates.some((c) => words.includes(c));

/** A plausible string for a field called `name`, from its name and the prompt's topic. */
export function stringForField(name: string, topic: Topic, rng: Rng, context: FieldContext = NO_CONTEXT): string {
  const words = nameWords(name);
  const last = words.at(-1) ?? "";
  if (has(words, "path", "file", "filename", "filepath")) {
    // A path the prompt mentions, when it is a file of the kind wanted (no `.ts` for a document).
    const kind = fileKindOf(context, topic);
    const fitting = topic.paths.filter((path) => fileKindOf({ siblings: { path }, parent: "" }, topic) === kind);
    return fitting.length > 0 ? rng.pick(fitting) : pathFor(kind, topic, rng);
  }
  if (has(words, "language", "lang")) return topic.language;
  if (has(words, "content", "code", "source", "snippet", "patch", "diff", "script", "dockerfile", "manifest"))
    return contentFor(fileKindOf(context, topic), topic, rng);
  if (has(words, "severity", "risk", "impact")) return rng.pick(["low", "medium", "high"]);
  if (has(words, "priority")) return rng.pick(["low", "medium", "high"]);
  if (has(words, "status", "state")) return rng.pick(["pending", "in_progress", "completed"]);
  if (last === "id" || has(words, "uuid", "guid")) return uuidFrom(rng);
  if (has(words, "email")) return `${slugOf(topic.words, 1)}@example.com`;
  if (has(words, "url", "uri", "link", "href")) return `https://example.com/${slugOf(topic.words)}`;
  if (has(words, "endpoint", "route")) return `/api/${slugOf(topic.words, 2)}`;
  if (has(words, "version")) return `1.${rng.int(0, 9)}.${rng.int(0, 9)}`;
  if (has(words, "branch")) return `feature/${slugOf(topic.words)}`;
  if (has(words, "image")) return `ghcr.io/example/${slugOf(topic.words, 2)}:1.0.0`;
  if (has(words, "command", "cmd")) return rng.pick(["npm test", "npm run build", "docker compose up -d"]);
  if (has(words, "author", "owner", "assignee", "user", "username")) return "devtools-bot";
  if (has(words, "title", "heading", "subject", "headline")) return titleOf(topic);
  if (has(words, "name", "slug", "key", "identifier")) return slugOf(topic.words, 2);
  if (has(words, "type", "kind", "category", "tag", "keyword", "label", "topic"))
    return rng.pick(topic.words).toLowerCase();
  if (has(words, "question")) return `How should ${topic.phrase} handle ${rng.pick(topic.words)}?`;
  if (has(words, "date", "time", "timestamp", "created", "updated", "at")) return "2025-01-15T10:00:00Z";
  return generateSentence(topic, rng);
}

/** A plausible number for a field called `name`, before the schema's bounds are applied. */
export function numberForField(name: string, integer: boolean, rng: Rng): number {
  const words = nameWords(name);
  if (has(words, "line", "lines", "column", "col", "row", "offset", "start", "end")) return rng.int(1, 200);
  if (has(words, "port")) return rng.pick([3000, 8000, 8080, 8443]);
  if (has(words, "year")) return 2025;
  if (has(words, "replicas", "retries", "attempts", "workers")) return rng.int(1, 5);
  if (has(words, "priority", "rank", "order", "level")) return rng.int(1, 5);
  if (has(words, "minutes", "duration", "estimate", "estimated", "eta")) return rng.int(5, 60);
  if (has(words, "timeout", "ms", "latency", "delay")) return rng.int(1, 30) * 1000;
  if (has(words, "percent", "percentage", "coverage")) return rng.int(50, 100);
  if (!integer && has(words, "confidence", "score", "probability", "ratio", "weight", "rate"))
    return Math.round(rng.next() * 100) / 100;
  if (has(words, "count", "total", "number", "num", "size", "quantity", "tokens")) return rng.int(1, 12);
  return integer ? rng.int(1, 100) : Math.round(rng.next() * 10_000) / 100;
}

/** Fields that read as checks ("passed", "is_valid") lean true, as model output does. */
export function booleanForField(name: string, rng: Rng): boolean {
  const words = nameWords(name);
  const positive = has(words, "success", "ok", "valid", "passed", "enabled", "approved", "ready", "healthy");
  return rng.chance(positive ? 0.85 : 0.5);
}
