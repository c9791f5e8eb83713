// The two servers of the HTTP comparisons: the orchestrator as deployed, and the same endpoints written
// with FastAPI + uvicorn + asyncpg (bench/fastapi/app.py), each on its own database and free port,
// with the request bodies both get and a check that both plan the same way.

import { freePort, startProcess } from "./processes.mjs";

export const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

/** Requests of several shapes (one to five agents, one line to a bullet list); both servers get this set. */
export const DESCRIPTIONS = [
  ["Deploy new API endpoint with authentication", "high"],
  ["Add rate limiting to the public REST API and write a runbook for the on-call engineers", "medium"],
  ["Review the payments service for security vulnerabilities and OWASP top 10 issues", "critical"],
  [
    "Containerise the billing worker with Docker, deploy it to the Kubernetes cluster with Helm, then set up a GitHub Actions pipeline that builds and pushes the image on every release.",
    "high",
  ],
  [
    "Implement OAuth login with GitHub; add pagination to the /tasks endpoint; document the new endpoints in the API reference",
    "medium",
  ],
  [
    "Provision a VPC and a managed PostgreSQL database with Terraform on DigitalOcean, with TLS certificates and monitoring",
    "low",
  ],
  ["Fix the bug where webhook retries are delivered twice after a timeout", "high"],
  ["Write an onboarding guide that explains the architecture of the orchestrator", "low"],
  [
    "Move notification delivery to a queue-based worker:\n- add a Redis-backed job queue\n- send emails from a cron worker with retries\n- deploy it with Docker Compose\n- automate the rollout with a nightly pipeline",
    "medium",
  ],
].map(([description, priority]) => JSON.stringify({ description, priority }));

/** autocannon requests for `POST /orchestrate`, one per description. */
export const ORCHESTRATE_REQUESTS = DESCRIPTIONS.map((body) => ({
  method: "POST",
  path: "/orchestrate",
  headers: { "content-type": "application/json" },
  body,
}));

/** Starts a server on a free port (`launch` gives its command, argv and environment); resolves once /health answers. */
async function startServer(name, launch) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return { url, ...(await startProcess(name, { ...launch(port), healthUrl: `${url}/health` })) };
}

/** The orchestrator as it is deployed (`node services/orchestrator/src/main.ts`), default pool and engine. */
export const startDevtools = (databaseUrl) =>
  startServer("devtools", (port) => ({
    args: ["services/orchestrator/src/main.ts"],
    env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", DATABASE_URL: databaseUrl },
  }));

/** bench/fastapi/app.py under one uvicorn worker, access log off. */
export const startFastApi = (databaseUrl) =>
  startServer("fastapi", (port) => ({
    command: PYTHON,
    args: [
      ...["-m", "uvicorn", "app:app", "--app-dir", "bench/fastapi", "--workers", "1"],
      ...["--host", "127.0.0.1", "--port", String(port), "--log-level", "warning", "--no-access-log"],
    ],
    env: { DATABASE_URL: databaseUrl },
  }));

/** A response with its ids numbered by first appearance and its times blanked, to compare the two servers' plans. */
function normalise(text) {
  const ids = new Map();
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `id${ids.size}`);
      return ids.get(id);
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>");
}

/** Posts every description to every server; the descriptions whose answers differ. */
async function differingPlans(servers) {
  const differing = [];
  for (const body of DESCRIPTIONS) {
    const answers = [];
    for (const server of servers) {
      const init = { method: "POST", headers: { "content-type": "application/json" }, body };
      const response = await fetch(`${server.url}/orchestrate`, init);
      answers.push(`${response.status} ${normalise(await response.text())}`);
    }
    if (answers.some((answer) => answer !== answers[0])) differing.push(JSON.parse(body).description);
  }
  return differing;
}

/** Prints whether both servers plan alike; the descriptions whose plans differ. */
export async function checkPlans(servers) {
  const differing = await differingPlans(servers);
  console.log(
    differing.length === 0
      ? `both servers answer the same plans for all ${DESCRIPTIONS.length} descriptions (ids and times aside)`
      : `WARNING: the plans differ for: ${differing.join(" | ")}`,
  );
  return differing;
}
