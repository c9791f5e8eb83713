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

/** Appends one UTF-8 byte to an id's value (bijective base 256). */
const push = (value: number, byte: number) => value * 256 + byte + 1;

/**
 * Cuts one pre-token into chunks of at most MAX_PIECE_BYTES without splitting a character, and
 * hands each chunk's id and bounds to `emit`. The UTF-8 bytes are worked out from the code points as
 * they go by: a prompt is tokenized on every request, and an encoder call per chunk cost the
 * simulator more CPU than everything else it does for a request.
 */
function cut(piece: string, emit: (id: number, start: number, end: number) => void): void {
  let start = 0;
  let size = 0;
  let value = 0;
  for (let index = 0; index < piece.length; ) {
    const code = piece.codePointAt(index) ?? 0;
    const units = code > 0xffff ? 2 : 1;
    // Lone surrogates encode as U+FFFD (EF BF BD), as TextEncoder does.
    const point = code >= 0xd800 && code <= 0xdfff ? 0xfffd : code;
    const bytes = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (size + bytes > MAX_PIECE_BYTES && size > 0) {
      emit(FIRST_TEXT_ID - 1 + value, start, index);
      start = index;
      size = 0;
      value = 0;
    }
    if (bytes === 1) value = push(value, point);
    else if (bytes === 2) value = push(push(value, 0xc0 | (point >> 6)), 0x80 | (point & 0x3f));
    else if (bytes === 3) {
      value = push(push(push(value, 0xe0 | (point >> 12)), 0x80 | ((point >> 6) & 0x3f)), 0x80 | (point & 0x3f));
    } else {
      value = push(push(value, 0xf0 | (point >> 18)), 0x80 | ((point >> 12) & 0x3f));
      value = push(push(value, 0x80 | ((point >> 6) & 0x3f)), 0x80 | (point & 0x3f));
    }
    size += bytes;
    index += units;
  }
  if (size > 0) emit(FIRST_TEXT_ID - 1 + value, start, piece.length);
}

/** Walks the tokens of `text`: special markers (with `allowSpecial`) and chunks of pre-tokens. */
function walk(
  text: string,
  allowSpecial: boolean,
  emit: (id: number, piece: string, start: number, end: number) => void,
) {
  const segments = allowSpecial ? text.split(SPECIAL_SPLIT) : [text];
  for (const segment of segments) {
    const special = allowSpecial ? SPECIAL_TOKENS.indexOf(segment as (typeof SPECIAL_TOKENS)[number]) : -1;
    if (special >= 0) {
      emit(special, segment, 0, segment.length);
      continue;
    }
    for (const match of segment.matchAll(PRE_TOKEN)) {
      const piece = match[0];
      cut(piece, (id, start, end) => emit(id, piece, start, end));
    }
  }
}

/**
 * Splits `text` into tokens; concatenating their `text` gives back `text` exactly.
 * With `allowSpecial`, the ChatML markers are single tokens (as in a rendered chat template).
 */
export function tokenize(text: string, { allowSpecial = false } = {}): Token[] {
  const tokens: Token[] = [];
  walk(text, allowSpecial, (id, piece, start, end) => tokens.push({ id, text: piece.slice(start, end) }));
  return tokens;
}

/** The token ids of `text` alone (see `tokenize`), without the tokens' text. */
export function tokenIds(text: string, { allowSpecial = false } = {}): number[] {
  const ids: number[] = [];
  walk(text, allowSpecial, (id) => ids.push(id));
  return ids;
}

/** The approximate number of tokens in `text`. */
export function countTokens(text: string, { allowSpecial = false } = {}): number {
  let count = 0;
  walk(text, allowSpecial, () => count++);
  return count;
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
