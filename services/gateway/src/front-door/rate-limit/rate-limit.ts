import { HttpError } from "@devtools/service-kit/errors";
import type { Context, MiddlewareHandler } from "hono";
import type { RateLimitDecision, TokenBuckets } from "./token-buckets.ts";

/**
 * The RateLimit headers of the IETF draft (draft-ietf-httpapi-ratelimit-headers, the widely
 * implemented separate-header form): the bucket's size, what is left, and when it is full again.
 */
function setRateLimitHeaders(c: Context, decision: RateLimitDecision, windowSeconds: number): void {
  c.header("RateLimit-Limit", String(decision.limit));
  c.header("RateLimit-Remaining", String(decision.remaining));
  c.header("RateLimit-Reset", String(decision.resetSeconds));
  c.header("RateLimit-Policy", `${decision.limit};w=${windowSeconds}`);
}

/**
 * Counts the request against the bucket of the subject `subjectOf` names (the API key, or the
 * client's address when keys are off) and refuses it with 429 and Retry-After when it is empty.
 */
export function rateLimit(
  buckets: TokenBuckets,
  { windowSeconds, subjectOf }: { windowSeconds: number; subjectOf: (c: Context) => string },
): MiddlewareHandler {
  return async function rateLimit(c, next) {
    const decision = buckets.take(subjectOf(c));
    if (!decision.allowed) {
      setRateLimitHeaders(c, decision, windowSeconds);
      c.header("Retry-After", String(decision.retryAfterSeconds));
      throw new HttpError(
        "rate_limited",
        `rate limit reached (${decision.limit} requests at once, refilled over ${windowSeconds} s): retry in ${decision.retryAfterSeconds} s`,
      );
    }
    await next();
    // Set on the response the route made (a proxied one included), not before it exists.
    setRateLimitHeaders(c, decision, windowSeconds);
  };
}
