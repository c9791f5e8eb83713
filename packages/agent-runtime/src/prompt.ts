import type { Artifact, ExecuteRequest, UpstreamResult } from "@devtools/contracts/agent";
import { AGENT_TYPES } from "@devtools/contracts/agent-type";
import type { PromptPart } from "@devtools/inference/prompt";

/** A fence longer than any backtick run in `content`, so a file that holds fences cannot close it early. */
function fenceFor(content: string): string {
  const longest = Math.max(2, ...Array.from(content.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(longest + 1);
}

function artifactText(artifact: Artifact): string {
  const fence = fenceFor(artifact.content);
  return `#### ${artifact.path} (${artifact.kind})\n\n${fence}\n${artifact.content}\n${fence}`;
}

function upstreamText(result: UpstreamResult): string {
  return [`### From ${result.agent_type}`, result.summary, ...result.artifacts.map(artifactText)].join("\n\n");
}

/**
 * The upstream results in an order that does not depend on the order they were sent in: by agent
 * (the usual plan order), then subtask id. The same inputs always give the same prompt bytes.
 */
export function orderedUpstream(upstream: readonly UpstreamResult[]): UpstreamResult[] {
  return [...upstream].sort(
    (a, b) =>
      AGENT_TYPES.indexOf(a.agent_type) - AGENT_TYPES.indexOf(b.agent_type) ||
      (a.subtask_id < b.subtask_id ? -1 : a.subtask_id > b.subtask_id ? 1 : 0),
  );
}

/**
 * The default per-request prompt: the subtask, then what the subtasks it depends on produced.
 * Request ids stay out: they would only make otherwise identical prompts differ.
 */
export function subtaskInput(request: ExecuteRequest): PromptPart[] {
  const upstream = orderedUpstream(request.upstream);
  return [
    { title: "Subtask", content: request.description },
    upstream.length > 0
      ? { title: "Results of the subtasks this one depends on", content: upstream.map(upstreamText).join("\n\n") }
      : undefined,
  ];
}
