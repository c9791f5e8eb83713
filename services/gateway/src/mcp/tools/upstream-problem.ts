import type { Problem } from "@devtools/contracts/problem";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { UpstreamAnswer } from "../../upstream/orchestrator-client.ts";
import { structuredResult, toolError } from "../gateway-tool.ts";

/** A tool error for an upstream's refusal, with its problem's detail and failing fields. */
export function upstreamRefusal(upstream: string, answer: UpstreamAnswer<unknown>): CallToolResult {
  const problem = (answer.body ?? {}) as Partial<Problem>;
  const fields = problem.errors?.map((field) => `${field.field}: ${field.message}`).join("; ");
  const reason = [problem.detail ?? problem.title ?? "no details", fields].filter(Boolean).join(" — ");
  return toolError(`${upstream} answered ${answer.status}: ${reason}`);
}

/** The upstream's answer as the tool's result: its body when it answered 200, else its refusal. */
export function upstreamResult(upstream: string, answer: UpstreamAnswer<object | null>): CallToolResult {
  if (answer.status !== 200 || !answer.body) return upstreamRefusal(upstream, answer);
  return structuredResult(answer.body, { json: answer.text });
}
