// MCP gateway benchmark: what the gateway's `/mcp` adds to a call. `tools/call get_task` through the
// gateway (a stateless MCP request: JSON-RPC over Streamable HTTP, answered as JSON) against
// `GET /tasks/{id}` sent straight to the orchestrator, for the same task. One client, sequential
// calls over one keep-alive connection per server, the two kinds interleaved so that both see the
// same conditions; warm-up first. The orchestrator and the gateway run as processes on fresh
// PostgreSQL databases; the orchestrator only plans (EXECUTION_CONCURRENCY=0).
//
//   node bench/mcp-gateway.mjs
//
// The gateway runs as deployed, its front door checking an API key (made with the admin CLI) on each
// call; only its rate limit is off (RATE_LIMIT_PER_MINUTE=0), which a benchmark would otherwise hit.
//
// Environment: BENCH_CALLS (5000 of each kind), BENCH_WARMUP_CALLS (1000 of each),
// BENCH_POSTGRES_URL (an admin connection). `--json <file>` also writes the figures as JSON.

import { execFile } from "node:child_process";
import { Agent, request } from "node:http";
import { promisify } from "node:util";
import { createDatabase, dropDatabases } from "./support/databases.mjs";
import { mcpGatewayGoals, printGoals } from "./support/goals.mjs";
import { freePort, ROOT, runGuarded, startProcess } from "./support/processes.mjs";
import { writeResult } from "./support/result.mjs";
import { summary } from "./support/stats.mjs";

const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP_CALLS ?? 1000);
const WATCHDOG_MS = 120_000 + (CALLS + WARMUP_CALLS) * 20;

/** One HTTP request on `agent`'s single keep-alive socket; resolves with status and body text. */
function send(agent, url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function main() {
  const [orchestratorPort, gatewayPort] = [await freePort(), await freePort()];
  const orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const common = { HOST: "127.0.0.1", LOG_LEVEL: "info" };
  const orchestrator = await startProcess("orchestrator", {
    args: ["services/orchestrator/src/main.ts"],
    env: {
      ...common,
      PORT: String(orchestratorPort),
      DATABASE_URL: await createDatabase(),
      EXECUTION_CONCURRENCY: "0",
    },
    healthUrl: `${orchestratorUrl}/health`,
  });
  const gatewayDatabase = await createDatabase();
  const gateway = await startProcess("gateway", {
    args: ["services/gateway/src/main.ts"],
    env: {
      ...common,
      PORT: String(gatewayPort),
      DATABASE_URL: gatewayDatabase,
      ORCHESTRATOR_URL: orchestratorUrl,
      RATE_LIMIT_PER_MINUTE: "0",
    },
    healthUrl: `${gatewayUrl}/health`,
  });
  // The admin CLI prints the new key alone on stdout.
  const created = await promisify(execFile)(
    process.execPath,
    ["services/gateway/src/admin/main.ts", "create-key", "--name", "bench"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: gatewayDatabase } },
  );
  const apiKey = created.stdout.trim();

  const direct = new Agent({ keepAlive: true, maxSockets: 1 });
  const viaGateway = new Agent({ keepAlive: true, maxSockets: 1 });
  const planned = await send(direct, `${orchestratorUrl}/orchestrate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description: "Deploy new API endpoint with authentication", planner: "rules" }),
  });
  if (planned.status !== 201) throw new Error(`POST /orchestrate answered ${planned.status}: ${planned.text}`);
  const taskId = JSON.parse(planned.text).task_id;

  const mcpHeaders = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
    authorization: `Bearer ${apiKey}`,
  };
  const initialized = await send(viaGateway, `${gatewayUrl}/mcp`, {
    method: "POST",
    headers: mcpHeaders,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1.0.0" } },
    }),
  });
  if (initialized.status !== 200) throw new Error(`initialize answered ${initialized.status}: ${initialized.text}`);

  let id = 1;
  const callGetTask = async () => {
    const answer = await send(viaGateway, `${gatewayUrl}/mcp`, {
      method: "POST",
      headers: mcpHeaders,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: id++,
        method: "tools/call",
        params: { name: "get_task", arguments: { id: taskId } },
      }),
    });
    const result = answer.status === 200 ? JSON.parse(answer.text).result : undefined;
    if (!result || result.isError) throw new Error(`tools/call get_task answered ${answer.status}: ${answer.text}`);
  };
  const getTask = async () => {
    const answer = await send(direct, `${orchestratorUrl}/tasks/${taskId}`);
    if (answer.status !== 200) throw new Error(`GET /tasks/{id} answered ${answer.status}: ${answer.text}`);
  };

  const samples = { direct: [], gateway: [] };
  const timed = async (call) => {
    const started = process.hrtime.bigint();
    await call();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let i = 0; i < WARMUP_CALLS; i++) {
    await getTask();
    await callGetTask();
  }
  for (let i = 0; i < CALLS; i++) {
    samples.direct.push(await timed(getTask));
    samples.gateway.push(await timed(callGetTask));
  }
  direct.destroy();
  viaGateway.destroy();
  await gateway.stop();
  await orchestrator.stop();

  const ms = (value) => `${value.toFixed(3)} ms`;
  const directStats = summary(samples.direct);
  const gatewayStats = summary(samples.gateway);
  console.log(
    `MCP gateway overhead: ${CALLS} sequential calls of each kind after ${WARMUP_CALLS} of warm-up, PostgreSQL`,
  );
  console.log("");
  console.log("| path | p50 | p99 | mean |");
  console.log("| --- | --- | --- | --- |");
  console.log(
    `| GET /tasks/{id} straight to the orchestrator | ${ms(directStats.p50)} | ${ms(directStats.p99)} | ${ms(directStats.mean)} |`,
  );
  console.log(
    `| tools/call get_task through the gateway's /mcp | ${ms(gatewayStats.p50)} | ${ms(gatewayStats.p99)} | ${ms(gatewayStats.mean)} |`,
  );
  console.log(
    `| added by the gateway | ${ms(gatewayStats.p50 - directStats.p50)} | ${ms(gatewayStats.p99 - directStats.p99)} | ${ms(gatewayStats.mean - directStats.mean)} |`,
  );
  const figures = { direct: directStats, gateway: gatewayStats };
  printGoals(mcpGatewayGoals(figures));
  writeResult("mcp-gateway", { calls: CALLS, warmupCalls: WARMUP_CALLS }, figures);
}

runGuarded(main, { watchdogMs: WATCHDOG_MS, cleanUp: dropDatabases });
