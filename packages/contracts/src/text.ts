import type { z } from "zod";

// PostgreSQL's text and jsonb refuse NUL characters and lone surrogates, so text that is stored must hold neither.
const LONE_SURROGATE = /\p{Cs}/u;

/** `schema`, refusing text PostgreSQL cannot store (NUL characters, lone surrogates) with a 4xx naming why. */
export function storableText<Schema extends z.ZodType<string>>(schema: Schema): Schema {
  return schema.refine(
    (text) => !text.includes("\u0000") && !LONE_SURROGATE.test(text),
    "must not contain NUL characters or lone surrogates",
  );
}
