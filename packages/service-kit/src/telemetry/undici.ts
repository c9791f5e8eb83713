import { propagation } from "@opentelemetry/api";
import { UndiciInstrumentation, type UndiciRequest } from "@opentelemetry/instrumentation-undici";
import { ATTR_DEVTOOLS_SERVICE, activeService } from "./service-context.ts";

/**
 * Removes trace headers a request already carries, before the instrumentation adds its own: the
 * gateway's proxy forwards its caller's headers, and a second `traceparent` would make the
 * upstream see a malformed pair and start a new trace. The caller's context is not lost: the
 * gateway's own request span continues it, and this client span is that span's child.
 */
export function dropInheritedTraceHeaders(request: Pick<UndiciRequest, "headers">): void {
  const fields = new Set(propagation.fields().map((field) => field.toLowerCase()));
  if (fields.size === 0) return;
  if (Array.isArray(request.headers)) {
    const kept: (string | string[])[] = [];
    for (let index = 0; index < request.headers.length; index += 2) {
      const name = request.headers[index];
      if (typeof name === "string" && fields.has(name.toLowerCase())) continue;
      kept.push(name as string, request.headers[index + 1] as string | string[]);
    }
    request.headers.splice(0, request.headers.length, ...kept);
  } else if (typeof request.headers === "string") {
    request.headers = request.headers
      .split("\r\n")
      .filter((line) => !fields.has(line.slice(0, line.indexOf(":")).trim().toLowerCase()))
      .join("\r\n");
  }
}

/**
 * Client spans for undici (its `request`, pools and the global fetch), through diagnostics_channel:
 * no loader hooks, so it works for ES modules started without `--import`. Only calls made within a
 * traced piece of work get a span: background polls would otherwise start a trace each.
 */
export function undiciInstrumentation(): UndiciInstrumentation {
  return new UndiciInstrumentation({
    requireParentforSpans: true,
    requestHook: (_span, request) => dropInheritedTraceHeaders(request),
    startSpanHook: () => {
      const service = activeService();
      return service ? { [ATTR_DEVTOOLS_SERVICE]: service } : {};
    },
  });
}
