import { type Context, context, createContextKey } from "@opentelemetry/api";

/**
 * The span attribute naming the devtools service that made a span. Each process has one SDK and so
 * one resource (`service.name`); when `npm start` hosts several services in that process, this
 * attribute (and the service-named tracer of its entry spans) still says which one did the work.
 */
export const ATTR_DEVTOOLS_SERVICE = "devtools.service";

const SERVICE = createContextKey("devtools.service");

/** `parent` with `service` recorded as the service doing the work below it. */
export function withService(parent: Context, service: string): Context {
  return parent.setValue(SERVICE, service);
}

/** The service doing the work of the active context, if a request or job said so. */
export function activeService(): string | undefined {
  const service = context.active().getValue(SERVICE);
  return typeof service === "string" ? service : undefined;
}
