import type { ChatMessage } from "./chat.ts";

/** A titled block of a prompt; non-string content is written as indented JSON. */
export interface PromptSection {
  title: string;
  content: unknown;
}

/** A piece of a prompt: plain text, or a titled section. Empty strings and undefined are left out. */
export type PromptPart = string | PromptSection | undefined;

/**
 * A prompt split by how often it changes. vLLM's prefix cache reuses the computed attention of the
 * longest prefix it has seen before, so everything that is the same for every call of one kind
 * (system prompt, schema, instructions) goes first and byte-identical, and what differs per call
 * (the subtask, upstream results) goes last.
 */
export interface PromptLayout {
  /** Parts that never change between calls of one kind: no ids, dates or per-call data here. */
  staticParts: readonly PromptPart[];
  /** Parts that change per call. */
  variableParts: readonly PromptPart[];
}

function renderPart(part: PromptPart): string {
  if (part === undefined) return "";
  if (typeof part === "string") return part;
  const content = typeof part.content === "string" ? part.content : JSON.stringify(part.content, null, 2);
  return `## ${part.title}\n\n${content}`;
}

/** Joins parts with blank lines, in order, skipping the empty ones. */
export function renderParts(parts: readonly PromptPart[]): string {
  return parts
    .map(renderPart)
    .filter((text) => text.length > 0)
    .join("\n\n");
}

/**
 * The chat messages of a layout: the static parts as the system message, the variable parts as the
 * user message. Chat templates render the system message first, so the static text is the start of
 * every prompt built from the same static parts, whatever the variable parts are.
 */
export function buildPrompt(layout: PromptLayout): ChatMessage[] {
  const system = renderParts(layout.staticParts);
  const user = renderParts(layout.variableParts);
  return [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content: user }];
}
