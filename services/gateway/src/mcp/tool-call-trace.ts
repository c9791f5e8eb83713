import { context, type Link, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("gateway");

/** The W3C fields an MCP client may put in a request's `_meta` (the MCP convention for trace context). */
function traceCarrier(meta: Record<string, unknown> | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const field of ["traceparent", "tracestate"]) {
    const value = meta?.[field];
    if (typeof value === "string") carrier[field] = value;
  }
  return carrier;
}

/**
 * Runs an MCP `tools/call` in a span (`tools/call <tool>`, MCP semantic conventions). When the
 * call's `params._meta` carries a W3C `traceparent` the span continues that trace, so a client's
 * trace reaches through the orchestrator to the agents, and links to the HTTP request's span;
 * otherwise it is a child of that request's span.
 */
export async function traceToolCall<T>(
  tool: string,
  meta: Record<string, unknown> | undefined,
  call: () => Promise<T>,
): Promise<T> {
  const active = context.active();
  const parent = propagation.extract(active, traceCarrier(meta));
  const transport = trace.getSpanContext(active);
  const continued = parent !== active && transport !== undefined;
  const links: Link[] = continued ? [{ context: transport }] : [];
  return tracer.startActiveSpan(
    `tools/call ${tool}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": tool,
        "gen_ai.operation.name": "execute_tool",
      },
      links,
    },
    parent,
    async (span) => {
      try {
        const result = await call();
        if ((result as { isError?: unknown } | null)?.isError === true) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute("error.type", "tool_error");
        }
        return result;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute("error.type", (error as Error).name);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
