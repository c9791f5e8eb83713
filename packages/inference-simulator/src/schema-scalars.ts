import { numberForField, stringForField } from "./field-values.ts";
import { type FieldContext, NO_CONTEXT } from "./file-kinds.ts";
import type { Rng } from "./random.ts";
import { compilePattern, sampleRegex } from "./regex-sample.ts";
import { formatValue } from "./string-formats.ts";
import type { Topic } from "./topic.ts";

/** The JSON Schema keywords the generator reads; anything else is ignored. */
export type Schema = { [keyword: string]: unknown };

const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const codePoints = (text: string) => Array.from(text);
const PATTERN_ATTEMPTS = 40;

/** Makes `text` satisfy minLength/maxLength (counted in code points, as JSON Schema does). */
function fitLength(text: string, schema: Schema, topic: Topic): string {
  const min = num(schema.minLength) ?? 0;
  const max = num(schema.maxLength);
  let chars = codePoints(text);
  if (max !== undefined && chars.length > max) {
    const cut = chars.slice(0, max).join("");
    // Prefer a cut at a word boundary when that still leaves enough characters.
    const atWord = cut.replace(/\s+\S*$/, "");
    chars = codePoints(codePoints(atWord).length >= Math.max(min, 1) && atWord !== cut ? atWord : cut);
  }
  let filler = 0;
  while (chars.length < min) {
    chars.push(...codePoints(`${chars.length > 0 ? " " : ""}${topic.words[filler++ % topic.words.length]}`));
  }
  return chars.slice(0, max ?? chars.length).join("");
}

/** A string for `schema` (format, pattern, length bounds), named after its field when it can be. */
export function generateString(
  schema: Schema,
  name: string,
  rng: Rng,
  topic: Topic,
  context: FieldContext = NO_CONTEXT,
): string {
  const format = typeof schema.format === "string" ? formatValue(schema.format, rng, topic) : undefined;
  const candidate = fitLength(format ?? stringForField(name, topic, rng, context), schema, topic);
  if (typeof schema.pattern !== "string") return candidate;
  const pattern = compilePattern(schema.pattern);
  const fits = (text: string) => {
    const length = codePoints(text).length;
    return (
      (pattern?.test(text) ?? true) &&
      length >= (num(schema.minLength) ?? 0) &&
      length <= (num(schema.maxLength) ?? Number.POSITIVE_INFINITY)
    );
  };
  if (fits(candidate)) return candidate;
  let sample: string | undefined;
  for (let attempt = 0; attempt < PATTERN_ATTEMPTS; attempt++) {
    sample = sampleRegex(schema.pattern, rng);
    if (sample !== undefined && fits(sample)) return sample;
  }
  // Best effort: a sample of the pattern is closer to valid than the field-name guess.
  return sample ?? candidate;
}

interface Bounds {
  low: number;
  high: number;
}

/** The closed interval a number must fall in, from draft-4 (boolean) or draft-6+ (numeric) exclusive bounds. */
function boundsOf(schema: Schema, integer: boolean): Bounds {
  const step = integer ? 1 : 1e-6;
  let low = num(schema.minimum) ?? Number.NEGATIVE_INFINITY;
  let high = num(schema.maximum) ?? Number.POSITIVE_INFINITY;
  if (schema.exclusiveMinimum === true) low += step;
  if (schema.exclusiveMaximum === true) high -= step;
  const exclusiveLow = num(schema.exclusiveMinimum);
  const exclusiveHigh = num(schema.exclusiveMaximum);
  if (exclusiveLow !== undefined) low = Math.max(low, exclusiveLow + step);
  if (exclusiveHigh !== undefined) high = Math.min(high, exclusiveHigh - step);
  if (integer) {
    low = Math.ceil(low);
    high = Math.floor(high);
  }
  return { low, high };
}

/** A number or integer for `schema` (bounds, exclusive bounds, multipleOf), named after its field. */
export function generateNumber(schema: Schema, name: string, integer: boolean, rng: Rng): number {
  const { low, high } = boundsOf(schema, integer);
  let value = numberForField(name, integer, rng);
  if (value < low || value > high) {
    // Out of range: pick inside, near the low end when only one side is bounded.
    if (Number.isFinite(low) && Number.isFinite(high)) value = low + rng.next() * (high - low);
    else if (Number.isFinite(low)) value = low + rng.int(0, 10);
    else value = high - rng.int(0, 10);
  }
  if (integer) value = Math.min(high, Math.max(low, Math.round(value)));
  else {
    const rounded = Math.round(value * 100) / 100;
    if (rounded >= low && rounded <= high) value = rounded;
  }
  const multipleOf = num(schema.multipleOf);
  if (multipleOf !== undefined && multipleOf > 0) {
    let multiple = Math.round(value / multipleOf) * multipleOf;
    if (multiple < low) multiple += multipleOf * Math.ceil((low - multiple) / multipleOf);
    if (multiple > high) multiple -= multipleOf * Math.ceil((multiple - high) / multipleOf);
    // Trim float noise such as 0.30000000000000004 without leaving the multiple.
    value = Number(multiple.toPrecision(12));
  }
  return value;
}
