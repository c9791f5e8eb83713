// Failures that say the database is out of reach (not that a statement is wrong): a connection
// refused, reset or closed under us, a server shutting down or not yet accepting connections.
const CONNECTION_CODES = new Set([
  // postgres.js
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  // Node's sockets
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/**
 * Why `error` means the database cannot be reached right now, or undefined when it means
 * something else. Callers answer 503 instead of 500: the request may succeed when retried.
 * Drivers and drizzle wrap errors, so the whole `cause` chain is searched.
 */
export function databaseUnavailable(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    // SQLSTATE class 08: connection exception.
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
      return "the database is unavailable; try again shortly";
    }
  }
  return undefined;
}
