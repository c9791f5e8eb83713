import { createHash } from "node:crypto";

/** The longest tool name many clients accept (OpenAI-style function names: `^[A-Za-z0-9_-]{1,64}$`). */
export const MAX_TOOL_NAME_LENGTH = 64;

const SEPARATOR = "__";
const HASH_LENGTH = 8;
const SAFE = /^[A-Za-z0-9_-]+$/;

/**
 * The gateway's name for a provider's tool: `provider__tool` when that is at most 64 safe
 * characters; otherwise the name made safe, truncated, and suffixed with a short hash of the full
 * original name, so that the same tool always gets the same name and different tools different ones.
 */
export function namespacedToolName(provider: string, tool: string): string {
  const full = `${provider}${SEPARATOR}${tool}`;
  if (full.length <= MAX_TOOL_NAME_LENGTH && SAFE.test(full)) return full;
  return shortened(full);
}

/** The always-hashed form, used too when the plain form is already taken. */
export function shortened(full: string): string {
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  const safe = full.replace(/[^A-Za-z0-9_-]/g, "_");
  return `${safe.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}
