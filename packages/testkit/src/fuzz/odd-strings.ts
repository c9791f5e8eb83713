import fc from "fast-check";

/**
 * Text that trips parsers, databases and loggers: lone surrogates, NUL and other control
 * characters, bidirectional overrides, zero-width and combining marks, emoji sequences, the BOM,
 * characters that change length when case-folded, and strings that look like code.
 */
export const ODD_TEXTS: readonly string[] = [
  "\uD800",
  "a\uDC00b",
  "\uDBFF\uDFFF",
  "nul\u0000inside",
  "\u0000",
  "\u0001\u0002\u0007\b\f\v\u001b[31m",
  "line\r\nbreak\u2028\u2029",
  "\u202Eevil\u202C",
  "\u200B\u200C\u200D\u2060\uFEFF",
  "e\u0301\u0301\u0301\u0301",
  "👩‍👩‍👧‍👦🏳️‍🌈🇺🇳",
  "\uFFFD\uFFFE\uFFFF",
  "ß İ ﬃ ǅ",
  "%00%ff%2e%2e/",
  "../../etc/passwd",
  "'; drop table tasks; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, meant literally.
  "${jndi:ldap://x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "   ",
  "",
];

/** One of the odd texts, alone or around random Unicode. */
export function oddString(): fc.Arbitrary<string> {
  const odd = fc.constantFrom(...ODD_TEXTS);
  return fc.oneof(
    odd,
    fc
      .tuple(fc.string({ unit: "binary", maxLength: 8 }), odd, fc.string({ unit: "binary", maxLength: 8 }))
      .map(([before, middle, after]) => `${before}${middle}${after}`),
  );
}

/** Long strings: past the usual 200, 2048 and 20 000 character limits. */
export function longString(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(201, 2049, 20_001, 100_000), fc.constantFrom("x", "é", "😀", "\u0000"))
    .map(([length, unit]) => unit.repeat(length));
}
