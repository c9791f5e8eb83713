import type { Rng } from "./random.ts";
import { countTokens } from "./tokenizer.ts";
import type { Topic } from "./topic.ts";

// {p} is the prompt's opening phrase; {a} and {b} are two of its content words.
const OPENERS = [
  "Here is a practical plan for {p}.",
  "Let's break {p} down into small, testable steps.",
  "To handle {p}, start from what already works and change one thing at a time.",
  "Good question. For {p}, the important parts are {a} and {b}.",
];
const SENTENCES = [
  "First, look at {a} and decide how it should interact with {b}.",
  "Keep {a} behind a small interface so that {b} can change without touching its callers.",
  "Add a test that covers {a} before changing {b}; it will catch regressions early.",
  "The tricky part is usually {a}, so document the assumptions about {b} next to the code.",
  "Validate {a} at the boundary and log enough context to debug {b} later.",
  "Once {a} works end to end, measure it, and only then optimise {b}.",
  "Make sure {a} fails with a clear message when {b} is missing or malformed.",
  "Check how {a} is configured in each environment, since {b} often differs between them.",
  "Prefer a small change to {a} over a rewrite; {b} can follow in a separate step.",
  "Write down how {a} is rolled back if {b} misbehaves in production.",
];
const STEPS = [
  "Review the current {a} setup",
  "Add {a} with sensible defaults",
  "Cover {a} and {b} with tests",
  "Wire {a} into the deployment",
  "Document how {a} is used",
  "Monitor {a} after the release",
];
const CLOSERS = [
  "With these changes in place, {p} should be straightforward to ship and maintain.",
  "Let me know if you want a deeper look at {a} or {b}.",
  "That covers the essentials; the details of {a} depend on your existing setup.",
];

function fill(template: string, topic: Topic, rng: Rng): string {
  const a = rng.pick(topic.words);
  const others = topic.words.filter((word) => word !== a);
  const b = others.length > 0 ? rng.pick(others) : a;
  return template.replaceAll("{p}", topic.phrase).replaceAll("{a}", a).replaceAll("{b}", b);
}

/**
 * Deterministic, plausible prose about `topic`: an opener, paragraphs (sometimes a numbered list)
 * and a closer, built from whole sentences until it reaches about `targetTokens` tokens.
 */
export function generateProse(topic: Topic, rng: Rng, targetTokens: number): string {
  const parts: string[] = [fill(rng.pick(OPENERS), topic, rng)];
  let tokens = countTokens(parts[0] ?? "");
  const add = (text: string, separator: string) => {
    parts.push(separator, text);
    tokens += countTokens(separator + text);
  };
  let usedList = false;
  while (tokens < targetTokens) {
    if (!usedList && rng.chance(0.3)) {
      usedList = true;
      add("The steps are:", "\n\n");
      const count = rng.int(3, 5);
      for (let step = 1; step <= count && tokens < targetTokens; step++)
        add(`${step}. ${fill(rng.pick(STEPS), topic, rng)}.`, "\n");
      continue;
    }
    add(fill(rng.pick(SENTENCES), topic, rng), rng.chance(0.25) ? "\n\n" : " ");
  }
  if (targetTokens > 30) add(fill(rng.pick(CLOSERS), topic, rng), "\n\n");
  return parts.join("");
}

/** A sentence or two about the topic, for free-text fields of JSON documents. */
export function generateSentence(topic: Topic, rng: Rng): string {
  return fill(rng.pick([...SENTENCES, ...CLOSERS]), topic, rng);
}
