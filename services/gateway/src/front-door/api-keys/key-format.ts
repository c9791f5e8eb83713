import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "dtk_";
// 32 random bytes (256 bits) in base64url: 43 characters.
const KEY_SHAPE = /^dtk_[A-Za-z0-9_-]{43}$/;
const DISPLAY_LENGTH = KEY_PREFIX.length + 8;

/** A new API key: `dtk_` and 256 random bits. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** Whether `value` has an API key's shape; anything else is refused without a lookup. */
export function looksLikeApiKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/**
 * Hex SHA-256 of the key. The key carries 256 random bits, so a fast unsalted hash cannot be
 * brute-forced and lets a request find its key by an indexed lookup instead of a comparison per key.
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The key's first characters (`dtk_` + 8), safe to store and show so that people can tell keys apart. */
export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_LENGTH);
}
