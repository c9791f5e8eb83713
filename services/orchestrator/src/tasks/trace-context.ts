import { type Context, context, propagation, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * The active W3C trace context (`traceparent`, `tracestate`, as the configured propagator writes
 * them) as JSON, to store with a task; null when nothing is being traced.
 */
export function captureTraceContext(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? JSON.stringify(carrier) : null;
}

/** The context a stored trace context continues; the root (a new trace) when there is none or it is unreadable. */
export function storedTraceContext(stored: string | null): Context {
  if (!stored) return ROOT_CONTEXT;
  try {
    const carrier = JSON.parse(stored) as unknown;
    if (typeof carrier !== "object" || carrier === null) return ROOT_CONTEXT;
    return propagation.extract(ROOT_CONTEXT, carrier as Record<string, string>);
  } catch {
    return ROOT_CONTEXT;
  }
}
