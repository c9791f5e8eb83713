import { ATTR_DEVTOOLS_SERVICE, withService } from "@devtools/service-kit/app";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { storedTraceContext } from "../tasks/trace-context.ts";
import type { ClaimedSubtask } from "./claim.ts";

const tracer = trace.getTracer("orchestrator");

/**
 * Runs one dispatch in a span that continues the trace of the request that created its task: the
 * engine claims from a background loop (maybe on another replica, or after a restart), so the
 * request's context comes from the task row, not from memory. The agent call's client span, and
 * through its `traceparent` the agent's own spans, become this span's children.
 */
export function traceDispatch(claim: ClaimedSubtask, run: () => Promise<void>): Promise<void> {
  const parent = withService(storedTraceContext(claim.traceContext), "orchestrator");
  return tracer.startActiveSpan(
    `dispatch ${claim.agentType}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR_DEVTOOLS_SERVICE]: "orchestrator",
        "devtools.task.id": claim.taskId,
        "devtools.subtask.id": claim.id,
        "devtools.agent_type": claim.agentType,
        "devtools.subtask.attempt": claim.attempts,
        "devtools.subtask.recovered": claim.recovered,
      },
    },
    parent,
    async (span) => {
      try {
        await run();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
