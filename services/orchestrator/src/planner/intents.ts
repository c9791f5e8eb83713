import type { AgentType } from "@devtools/contracts/agent-type";

/**
 * What in a request calls for each agent. Word-start matches, so "document" finds "documentation"
 * (plain substrings would find "ci" inside "decide"); a trailing `$` asks for the whole word.
 * Generic verbs ("add", "write", "create") signal nothing: they go with every agent's work.
 */
const SIGNALS: Record<AgentType, readonly string[]> = {
  "feature-dev": [
    "implement",
    "endpoint",
    "api",
    "feature",
    "function",
    "refactor",
    "fix",
    "bug",
    "authentication",
    "authorization",
    "oauth",
    "login",
    "signup",
    "sign-up",
    "rate limit",
    "pagination",
    "webhook",
    "handler",
    "migration",
    "schema",
    "ui",
    "page",
    "component",
    "cli",
    "integrate",
    "integration",
    "upgrade",
    "cache",
    "search",
    "validation",
    "graphql",
    "grpc",
    "rest",
    "websocket",
    "queue",
    "cron",
    "unit test",
  ],
  "code-review": [
    "review",
    "audit",
    "security",
    "vulnerab",
    "quality",
    "lint",
    "static analysis",
    "code smell",
    "best practice",
    "owasp",
    "cve",
    "inspect",
    "assess",
  ],
  infrastructure: [
    "deploy",
    "infrastructure",
    "infra",
    "docker",
    "container",
    "kubernetes",
    "k8s",
    "helm",
    "terraform",
    "compose",
    "cluster",
    "provision",
    "load balancer",
    "ingress",
    "scale",
    "autoscal",
    "hosting",
    "cloud",
    "aws",
    "gcp",
    "azure",
    "digitalocean",
    "droplet",
    "vpc",
    "dns",
    "tls",
    "ssl",
    "certificate",
    "monitoring",
    "observability",
  ],
  cicd: [
    "pipeline",
    "ci",
    "cd",
    "ci/cd",
    "continuous",
    "github action",
    "workflow",
    "release",
    "ship",
    // The verb, not "a Kubernetes deployment".
    "deploy$",
    "deploys$",
    "deploying$",
    "deployed$",
    "build and push",
    "registry",
    "rollout",
    "rollback",
    "automate",
    "automation",
    "nightly",
  ],
  documentation: [
    "document",
    "docs",
    "readme",
    "guide",
    "tutorial",
    "runbook",
    "changelog",
    "api reference",
    "openapi",
    "swagger",
    "explain",
    "onboarding",
    "adr",
    "architecture decision",
  ],
};

/** Requests about these need the new surface documented even when docs are not asked for. */
const PUBLIC_SURFACE = ["api", "endpoint", "sdk", "cli", "command", "webhook", "graphql", "grpc", "rest", "public"];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function pattern(words: readonly string[]): RegExp {
  const escaped = words.map((word) =>
    word.endsWith("$") ? `${escapeRegExp(word.slice(0, -1))}(?![a-z])` : escapeRegExp(word),
  );
  return new RegExp(`(?:^|[^a-z0-9])(?:${escaped.join("|")})`, "i");
}

const SIGNAL_PATTERNS = Object.fromEntries(
  Object.entries(SIGNALS).map(([agent, words]) => [agent, pattern(words)]),
) as Record<AgentType, RegExp>;
const PUBLIC_SURFACE_PATTERN = pattern(PUBLIC_SURFACE);
const INFRA_TARGETS: [RegExp, string][] = [
  [pattern(["kubernetes", "k8s", "helm", "cluster"]), "Kubernetes manifests"],
  [pattern(["terraform", "provision", "vpc", "droplet"]), "Terraform"],
  [pattern(["compose"]), "Docker Compose"],
  [pattern(["docker", "container", "image"]), "a Dockerfile"],
];

/** The agents a clause asks for directly. */
export function agentsSignalled(clause: string): Set<AgentType> {
  const found = new Set<AgentType>();
  for (const [agent, signal] of Object.entries(SIGNAL_PATTERNS) as [AgentType, RegExp][]) {
    if (signal.test(clause)) found.add(agent);
  }
  return found;
}

export const mentionsPublicSurface = (text: string) => PUBLIC_SURFACE_PATTERN.test(text);

/** The kinds of infrastructure a request names, defaulting to a container image and compose file. */
export function infrastructureTargets(text: string): string[] {
  const targets = INFRA_TARGETS.filter(([signal]) => signal.test(text)).map(([, name]) => name);
  return targets.length > 0 ? targets : ["a Dockerfile", "Docker Compose"];
}

/** Splits a request into clauses: sentences, semicolons, bullet lines and "then". */
export function clausesOf(description: string): string[] {
  return description
    .split(/(?:[.;!?](?:\s+|$))|\n+|\s*[-*•]\s+|,?\s+(?:and\s+)?then\s+/i)
    .map((clause) => clause.trim().replace(/[.,;:]+$/, ""))
    .filter((clause) => clause.length > 0);
}
