import { createHmac, timingSafeEqual } from "node:crypto";

const equalInConstantTime = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** `Linear-Signature`: the hex HMAC-SHA256 of the raw body under the webhook's signing secret. */
export function verifyLinearSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest("hex");
  return equalInConstantTime(header.trim().toLowerCase(), expected);
}

/** `X-Devtools-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, as the orchestrator signs callbacks. */
export function verifyCallbackSignature(
  secret: string,
  timestamp: string,
  rawBody: string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
  return equalInConstantTime(header.trim(), expected);
}
