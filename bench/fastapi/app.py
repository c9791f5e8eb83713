"""The orchestrator's GET /health and POST /orchestrate, written the usual FastAPI way, for bench/http.mjs.

A baseline to compare against, not a second implementation: the planner is a compact port of
services/orchestrator/src/planner/*.ts (same rules, same output for the same description), and the
handler writes the same rows (a `tasks` row and its `subtasks` rows, in one transaction) through an
asyncpg pool of the orchestrator's default size. Runs on Debian's python3-fastapi (pydantic 1.x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \
      /usr/bin/python3 -m uvicorn app:app --app-dir bench/fastapi --port 8000 --no-access-log
"""

import json
import math
import os
import re
import uuid
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

import asyncpg
from fastapi import FastAPI, Response
from pydantic import BaseModel, constr

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/devtools")
POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
MIGRATIONS = Path(__file__).resolve().parents[2] / "packages/db/drizzle"

# --- planner (port of planner/intents.ts, estimates.ts, graph.ts, plan-task.ts) -----------------

AGENT_TYPES = ("feature-dev", "code-review", "infrastructure", "cicd", "documentation")

SIGNALS = {
    "feature-dev": [
        "implement", "endpoint", "api", "feature", "function", "refactor", "fix", "bug", "authentication",
        "authorization", "oauth", "login", "signup", "sign-up", "rate limit", "pagination", "webhook", "handler",
        "migration", "schema", "ui", "page", "component", "cli", "integrate", "integration", "upgrade", "cache",
        "search", "validation", "graphql", "grpc", "rest", "websocket", "queue", "cron", "unit test",
    ],
    "code-review": [
        "review", "audit", "security", "vulnerab", "quality", "lint", "static analysis", "code smell",
        "best practice", "owasp", "cve", "inspect", "assess",
    ],
    "infrastructure": [
        "deploy", "infrastructure", "infra", "docker", "container", "kubernetes", "k8s", "helm", "terraform",
        "compose", "cluster", "provision", "load balancer", "ingress", "scale", "autoscal", "hosting", "cloud",
        "aws", "gcp", "azure", "digitalocean", "droplet", "vpc", "dns", "tls", "ssl", "certificate", "monitoring",
        "observability",
    ],
    "cicd": [
        "pipeline", "ci", "cd", "ci/cd", "continuous", "github action", "workflow", "release", "ship",
        "deploy$", "deploys$", "deploying$", "deployed$", "build and push", "registry", "rollout", "rollback", "automate", "automation", "nightly",
    ],
    "documentation": [
        "document", "docs", "readme", "guide", "tutorial", "runbook", "changelog", "api reference", "openapi",
        "swagger", "explain", "onboarding", "adr", "architecture decision",
    ],
}


def pattern(words):
    # Word-start matches, as in intents.ts ("ci" does not match "decide"); a trailing `$` asks for the whole word.
    escaped = (re.escape(word[:-1]) + "(?![a-z])" if word.endswith("$") else re.escape(word) for word in words)
    return re.compile(r"(?:^|[^a-z0-9])(?:" + "|".join(escaped) + ")", re.IGNORECASE)


SIGNAL_PATTERNS = {agent: pattern(words) for agent, words in SIGNALS.items()}
PUBLIC_SURFACE = pattern(["api", "endpoint", "sdk", "cli", "command", "webhook", "graphql", "grpc", "rest", "public"])
INFRA_TARGETS = [
    (pattern(["kubernetes", "k8s", "helm", "cluster"]), "Kubernetes manifests"),
    (pattern(["terraform", "provision", "vpc", "droplet"]), "Terraform"),
    (pattern(["compose"]), "Docker Compose"),
    (pattern(["docker", "container", "image"]), "a Dockerfile"),
]
CLAUSE_SPLIT = re.compile(r"(?:[.;!?](?:\s+|\Z))|\n+|\s*[-*•]\s+|,?\s+(?:and\s+)?then\s+", re.IGNORECASE)
TRAILING_PUNCTUATION = re.compile(r"[.,;:]+\Z")

PROFILE = {  # agent: (system prompt tokens, output tokens)
    "feature-dev": (700, 2400),
    "code-review": (600, 900),
    "infrastructure": (650, 1500),
    "cicd": (600, 900),
    "documentation": (550, 1200),
}
TOKENS_PER_SECOND = 40
OVERHEAD_SECONDS = 5
UPSTREAM_CONTEXT_SHARE = 0.5

UPSTREAM = {
    "feature-dev": [],
    "code-review": ["feature-dev"],
    "infrastructure": [],
    "cicd": ["feature-dev", "infrastructure"],
    "documentation": ["feature-dev", "code-review", "infrastructure", "cicd"],
}


def depth(agent):
    upstream = UPSTREAM[agent]
    return 0 if not upstream else 1 + max(depth(dependency) for dependency in upstream)


def agents_signalled(clause):
    return {agent for agent, signal in SIGNAL_PATTERNS.items() if signal.search(clause)}


def clauses_of(description):
    clauses = (TRAILING_PUNCTUATION.sub("", clause.strip()) for clause in CLAUSE_SPLIT.split(description))
    return [clause for clause in clauses if clause]


def infrastructure_targets(text):
    targets = [name for signal, name in INFRA_TARGETS if signal.search(text)]
    return targets or ["a Dockerfile", "Docker Compose"]


def choose_agents(description, clauses):
    agents = set()
    for clause in clauses:
        agents |= agents_signalled(clause)
    # Code that gets written gets reviewed; a request that names nothing is a coding request.
    if "feature-dev" in agents:
        agents.add("code-review")
    if "feature-dev" in agents and "infrastructure" in agents and PUBLIC_SURFACE.search(description):
        agents.add("documentation")
    return agents or {"feature-dev", "code-review"}


def describe(agent, description, clauses, agents):
    own = [clause for clause in clauses if agent in agents_signalled(clause)]
    focus = "; ".join(own) if 0 < len(own) < len(clauses) else description
    if agent == "feature-dev":
        return f"Write the application code (new files or patches, with tests) for: {focus}"
    if agent == "code-review":
        if "feature-dev" in agents:
            return (
                f'Review the code written for "{focus}" for correctness, security and maintainability; '
                "report findings with severity, location and a suggested fix"
            )
        return f"Review the existing code for: {focus}; report findings with severity, location and a suggested fix"
    if agent == "infrastructure":
        return f"Write the infrastructure as code ({', '.join(infrastructure_targets(description))}) to run: {focus}"
    if agent == "cicd":
        return f"Write the GitHub Actions workflow that builds, tests and deploys: {focus}"
    if len(agents) > 1:
        return (
            f'Document the result of "{description}": usage, configuration and operations, '
            "from the other subtasks' output"
        )
    return f"Write the documentation for: {focus}"


def estimate_tokens(agent, text, upstream):
    context = sum(PROFILE[dependency][1] for dependency in upstream)
    prompt, output = PROFILE[agent]
    return prompt + math.ceil(len(text) / 4) + math.floor(context * UPSTREAM_CONTEXT_SHARE + 0.5) + output


def estimate_minutes(agent):
    return (PROFILE[agent][1] / TOKENS_PER_SECOND + OVERHEAD_SECONDS) / 60


def lay_out(drafts):
    """Stages, a topological order and the critical path of drafts listed dependencies-first (graph.ts)."""
    stage_of, finish = {}, {}
    for draft in drafts:
        stage, via_minutes, via = 0, 0.0, None
        for dependency in draft["depends_on"]:
            stage = max(stage, stage_of[dependency] + 1)
            if finish[dependency][0] > via_minutes:
                via_minutes, via = finish[dependency][0], dependency
        stage_of[draft["id"]] = stage
        finish[draft["id"]] = (via_minutes + draft["minutes"], via)
    stages = []
    for draft in drafts:
        stage = stage_of[draft["id"]]
        if stage == len(stages):
            stages.append([])
        stages[stage].append(draft["id"])
    last = None
    for node, (minutes, _) in finish.items():
        if last is None or minutes > finish[last][0]:
            last = node
    critical_path = []
    while last is not None:
        critical_path.insert(0, last)
        last = finish[last][1]
    minutes = finish[critical_path[-1]][0] if critical_path else 0
    return stage_of, stages, critical_path, minutes


def plan_task(description):
    clauses = clauses_of(description)
    agents = choose_agents(description, clauses)
    chosen = [agent for agent in AGENT_TYPES if agent in agents]
    id_of = {agent: str(uuid.uuid4()) for agent in chosen}
    # Canonical order puts every agent after the agents it builds on.
    order = sorted(chosen, key=lambda agent: (depth(agent), AGENT_TYPES.index(agent)))
    drafts = []
    for agent in order:
        upstream = [dependency for dependency in UPSTREAM[agent] if dependency in agents]
        text = describe(agent, description, clauses, agents)
        drafts.append({
            "id": id_of[agent],
            "agent_type": agent,
            "description": text,
            "depends_on": [id_of[dependency] for dependency in upstream],
            "minutes": estimate_minutes(agent),
            "estimated_tokens": estimate_tokens(agent, text, upstream),
        })
    stage_of, stages, critical_path, minutes = lay_out(drafts)
    execution_order = [node for stage in stages for node in stage]
    position = {node: index for index, node in enumerate(execution_order)}
    subtasks = sorted(
        ({**draft, "stage": stage_of[draft["id"]], "position": position[draft["id"]]} for draft in drafts),
        key=lambda subtask: subtask["position"],
    )
    routing_plan = {
        "execution_order": execution_order,
        "stages": stages,
        "critical_path": critical_path,
        "estimated_duration_minutes": max(1, math.ceil(minutes)),
    }
    return subtasks, routing_plan, sum(subtask["estimated_tokens"] for subtask in subtasks)


# --- HTTP ---------------------------------------------------------------------------------------


class Priority(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class OrchestrateRequest(BaseModel):
    description: constr(strip_whitespace=True, min_length=1, max_length=20_000)
    priority: Priority = Priority.medium

    class Config:
        extra = "forbid"


app = FastAPI(title="orchestrator (FastAPI baseline)", version="0.1.0")
HEALTH = {"status": "ok", "service": "orchestrator", "version": "0.1.0"}
NO_USAGE = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


@app.on_event("startup")
async def open_pool():
    app.state.pool = await asyncpg.create_pool(DATABASE_URL, min_size=POOL_SIZE, max_size=POOL_SIZE)
    async with app.state.pool.acquire() as conn:
        if await conn.fetchval("select to_regclass('public.tasks')") is None:
            for migration in sorted(MIGRATIONS.glob("*.sql")):
                for statement in migration.read_text().split("--> statement-breakpoint"):
                    await conn.execute(statement)


@app.on_event("shutdown")
async def close_pool():
    await app.state.pool.close()


@app.get("/health")
async def health():
    return HEALTH


INSERT_TASK = """
insert into tasks (id, description, priority, status, planner, routing_plan, estimated_tokens, created_at, updated_at)
values ($1, $2, $3, 'pending', 'rules', $4::jsonb, $5, $6, $6)
"""
INSERT_SUBTASK = """
insert into subtasks (id, task_id, position, stage, agent_type, description, status, depends_on, estimated_tokens,
                      created_at, updated_at)
values ($1, $2, $3, $4, $5, $6, 'pending', $7::uuid[], $8, $9, $9)
"""


@app.post("/orchestrate", status_code=201)
async def orchestrate(request: OrchestrateRequest, response: Response):
    task_id = str(uuid.uuid4())
    subtasks, routing_plan, estimated_tokens = plan_task(request.description)
    now = datetime.now(timezone.utc)
    async with app.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            INSERT_TASK, task_id, request.description, request.priority.value, json.dumps(routing_plan),
            estimated_tokens, now,
        )
        await conn.executemany(INSERT_SUBTASK, [
            (s["id"], task_id, s["position"], s["stage"], s["agent_type"], s["description"], s["depends_on"],
             s["estimated_tokens"], now)
            for s in subtasks
        ])
    response.headers["location"] = f"/tasks/{task_id}"
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # The orchestrator's answer, field for field and in its order, so that both send the same bytes.
    return {
        "task_id": task_id,
        "description": request.description,
        "priority": request.priority.value,
        "status": "pending",
        "planner": "rules",
        "planner_note": None,
        "estimated_tokens": estimated_tokens,
        "error": None,
        "usage": NO_USAGE,
        "created_at": stamp,
        "updated_at": stamp,
        "started_at": None,
        "finished_at": None,
        "cancel_requested_at": None,
        "max_tokens": None,
        "callback_url": None,
        "subtasks": [
            {
                "id": s["id"],
                "agent_type": s["agent_type"],
                "description": s["description"],
                "status": "pending",
                "depends_on": s["depends_on"],
                "stage": s["stage"],
                "estimated_tokens": s["estimated_tokens"],
                "attempts": 0,
                "generation": 0,
                "result": None,
                "error": None,
                "usage": None,
                "started_at": None,
                "finished_at": None,
                "next_attempt_at": None,
            }
            for s in subtasks
        ],
        "routing_plan": routing_plan,
    }
