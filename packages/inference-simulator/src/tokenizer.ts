/**
 * A deterministic, stateless stand-in for a BPE tokenizer. Counts are APPROXIMATE: text is split
 * like GPT-style pre-tokenizers do (a word with its leading space, number runs of up to three
 * digits, punctuation runs, whitespace runs), then every piece is cut into chunks of at most six
 * UTF-8 bytes. English prose comes out near 4–5 characters per token, close to real tokenizers.
 *
 * Token ids encode the chunk's bytes (bijective base 256), so `decode` needs no vocabulary and two
 * processes agree on every id — which is what the prefix cache hashes.
 */

/** Special tokens of the simulated ChatML model; ids below FIRST_TEXT_ID are reserved for them. */
export const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;
const FIRST_TEXT_ID = 16;
const MAX_PIECE_BYTES = 6;
// 6 bytes in bijective base 256 stay far below Number.MAX_SAFE_INTEGER.
const MAX_TEXT_ID = FIRST_TEXT_ID - 1 + bijectiveMax(MAX_PIECE_BYTES);

const PRE_TOKEN = / ?\p{L}+| ?\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const SPECIAL_SPLIT = new RegExp(`(${SPECIAL_TOKENS.map((token) => token.replace(/[|]/g, "\\|")).join("|")})`);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Token {
  id: number;
  text: string;
}

function bijectiveMax(bytes: number): number {
  let max = 0;
  for (let i = 0; i < bytes; i++) max = max * 256 + 256;
  return max;
}

function idOf(bytes: Uint8Array): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte + 1;
  return FIRST_TEXT_ID - 1 + value;
}

function bytesOf(id: number): Uint8Array {
  const bytes: number[] = [];
  let value = id - (FIRST_TEXT_ID - 1);
  while (value > 0) {
    const digit = ((value - 1) % 256) + 1;
    bytes.push(digit - 1);
    value = (value - digit) / 256;
  }
  return Uint8Array.from(bytes.reverse());
}

/** Cuts one pre-token into chunks of at most MAX_PIECE_BYTES without splitting a character. */
function* chunks(piece: string): Generator<string> {
  let current = "";
  let currentBytes = 0;
  for (const char of piece) {
    const code = char.codePointAt(0) ?? 0;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (currentBytes + size > MAX_PIECE_BYTES && current !== "") {
      yield current;
      current = "";
      currentBytes = 0;
    }
    current += char;
    currentBytes += size;
  }
  if (current !== "") yield current;
}

/**
 * Splits `text` into tokens; concatenating their `text` gives back `text` exactly.
 * With `allowSpecial`, the ChatML markers are single tokens (as in a rendered chat template).
 */
export function tokenize(text: string, { allowSpecial = false } = {}): Token[] {
  const tokens: Token[] = [];
  const segments = allowSpecial ? text.split(SPECIAL_SPLIT) : [text];
  for (const segment of segments) {
    const special = allowSpecial ? SPECIAL_TOKENS.indexOf(segment as (typeof SPECIAL_TOKENS)[number]) : -1;
    if (special >= 0) {
      tokens.push({ id: special, text: segment });
      continue;
    }
    for (const match of segment.matchAll(PRE_TOKEN)) {
      for (const chunk of chunks(match[0])) tokens.push({ id: idOf(encoder.encode(chunk)), text: chunk });
    }
  }
  return tokens;
}

/** The approximate number of tokens in `text`. */
export function countTokens(text: string, options?: { allowSpecial?: boolean }): number {
  return tokenize(text, options).length;
}

/** Whether `id` is one this tokenizer could have produced. */
export function isKnownTokenId(id: number): boolean {
  return (
    Number.isSafeInteger(id) && id >= 0 && (id < SPECIAL_TOKENS.length || (id >= FIRST_TEXT_ID && id <= MAX_TEXT_ID))
  );
}

/** The text of one token id (which must satisfy `isKnownTokenId`). */
export function tokenText(id: number): string {
  const special = SPECIAL_TOKENS[id];
  if (special !== undefined) return special;
  return decoder.decode(bytesOf(id));
}

/** Turns ids back into text; bytes that do not form UTF-8 come out as U+FFFD, as in real tokenizers. */
export function detokenize(ids: readonly number[]): string {
  const parts: (Uint8Array | string)[] = ids.map((id) => SPECIAL_TOKENS[id] ?? bytesOf(id));
  let text = "";
  let pending: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") {
      text += decoder.decode(Uint8Array.from(pending)) + part;
      pending = [];
    } else {
      pending.push(...part);
    }
  }
  return text + decoder.decode(Uint8Array.from(pending));
}
