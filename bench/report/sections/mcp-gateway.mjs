// BENCHMARKS.md, "MCP gateway": what `/mcp` adds to a call.

import { mcpGatewayGoals } from "../../support/goals.mjs";
import { envLine, ms, table } from "../markdown.mjs";

export const mcpGateway = {
  name: "mcp-gateway",
  script: "bench/mcp-gateway.mjs",
  title: "MCP gateway: what `/mcp` adds to a call",
  goals: (result) => mcpGatewayGoals(result.figures, result.parameters),
  render({ parameters: p, figures: { direct, gateway } }) {
    const row = (path, stat) => [path, ms(stat.p50), ms(stat.p99), ms(stat.mean)];
    return `
**Anchor**: the raw call — \`GET /tasks/{id}\` sent straight to the orchestrator, against \`tools/call get_task\`
for the same task through the gateway (the goal puts the gateway among LiteLLM and Portkey, by their published overheads).

\`\`\`sh
${envLine({ BENCH_CALLS: p.calls, BENCH_WARMUP_CALLS: p.warmupCalls })} node bench/mcp-gateway.mjs
\`\`\`

${table(
  ["path", "p50", "p99", "mean"],
  [
    row("GET /tasks/{id} straight to the orchestrator", direct),
    row("tools/call get_task through the gateway's /mcp", gateway),
    [
      "added by the gateway",
      ms(gateway.p50 - direct.p50),
      ms(gateway.p99 - direct.p99),
      ms(gateway.mean - direct.mean),
    ],
  ],
)}

#### Method

The orchestrator (planning only, \`EXECUTION_CONCURRENCY=0\`) and the gateway run as processes on fresh PostgreSQL
databases. The gateway runs as deployed: its front door checks an API key (made with the admin command) on every
call; only its rate limit is off, which a benchmark would hit. One client, ${p.calls} sequential calls of each kind
after ${p.warmupCalls} of warm-up, over one keep-alive connection per server, the two kinds interleaved so that both see
the same conditions. Each MCP call is a stateless Streamable HTTP request (a fresh SDK server and transport per
request, the tool definitions built once per profile), answered as JSON.
`;
  },
};
