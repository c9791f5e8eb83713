import { z } from "zod";
import type { AgentType } from "./agent-type.ts";

// What each specialist agent's model must answer (structured output). They are sent to the backend
// as strict JSON schemas: every field required (nullable where a value may be absent), no optional
// unions, and no `meta({ id })` on these or their parts, so the schema's root stays an inline object
// rather than a `$ref` (strict mode wants an object at the root).

const repositoryPath = (example: string) =>
  z
    .string()
    .min(1)
    .max(500)
    .meta({ description: `Path relative to the repository root, with "/" separators, e.g. \`${example}\`.` });

const notes = z.string().meta({
  description: "What was done, decisions worth knowing and anything left for a human; plain text, a few sentences.",
});

export const FeatureDevOutput = z
  .object({
    files: z
      .array(
        z.object({
          path: repositoryPath("src/auth/middleware.ts"),
          language: z.string().min(1).max(50).meta({ description: "The file's language, e.g. `typescript`." }),
          content: z.string().meta({ description: "The complete file." }),
        }),
      )
      .min(1),
    notes,
  })
  .meta({ description: "Application code written by the feature-dev agent: whole files." });
export type FeatureDevOutput = z.infer<typeof FeatureDevOutput>;

export const FINDING_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export const REVIEW_VERDICTS = ["approve", "request_changes", "comment"] as const;

export const CodeReviewOutput = z
  .object({
    findings: z.array(
      z.object({
        severity: z.enum(FINDING_SEVERITIES),
        file: repositoryPath("src/auth/middleware.ts")
          .nullable()
          .meta({ description: "The file the finding is about; null when it concerns the change as a whole." }),
        line: z
          .number()
          .int()
          .min(1)
          .nullable()
          .meta({ description: "1-based line in `file`; null when the finding is not about one line." }),
        rule: z
          .string()
          .min(1)
          .max(100)
          .meta({ description: "A short kebab-case rule id, e.g. `sql-injection` or `missing-test`." }),
        message: z.string().min(1).meta({ description: "What is wrong and why it matters." }),
        suggestion: z.string().meta({ description: "How to fix it, concretely; code where it helps." }),
      }),
    ),
    verdict: z.enum(REVIEW_VERDICTS),
    summary: z.string().min(1).meta({ description: "The review's conclusion in two or three sentences." }),
  })
  .meta({ description: "A code review: findings with severity, location and a suggested fix, and a verdict." });
export type CodeReviewOutput = z.infer<typeof CodeReviewOutput>;

export const INFRASTRUCTURE_KINDS = ["dockerfile", "compose", "kubernetes", "terraform"] as const;
export type InfrastructureKind = (typeof INFRASTRUCTURE_KINDS)[number];

export const InfrastructureOutput = z
  .object({
    artifacts: z
      .array(
        z.object({
          path: repositoryPath("deploy/k8s/api.yaml"),
          kind: z.enum(INFRASTRUCTURE_KINDS),
          content: z.string().meta({ description: "The complete file." }),
        }),
      )
      .min(1),
    notes,
  })
  .meta({ description: "Infrastructure as code: Dockerfiles, Compose files, Kubernetes manifests, Terraform." });
export type InfrastructureOutput = z.infer<typeof InfrastructureOutput>;

/** Where GitHub looks for workflows: directly in `.github/workflows/`, as `.yml` or `.yaml`. */
export const WORKFLOW_PATH = /^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/;

export const CicdOutput = z
  .object({
    workflows: z
      .array(
        z.object({
          path: z.string().regex(WORKFLOW_PATH, "must be a .yml or .yaml file directly in .github/workflows/").meta({
            description: "e.g. `.github/workflows/ci.yml`.",
          }),
          content: z.string().meta({ description: "The complete workflow YAML." }),
        }),
      )
      .min(1),
    notes,
  })
  .meta({ description: "GitHub Actions workflows." });
export type CicdOutput = z.infer<typeof CicdOutput>;

export const DocumentationOutput = z
  .object({
    documents: z
      .array(
        z.object({
          path: repositoryPath("docs/authentication.md"),
          content: z.string().meta({ description: "The complete Markdown document." }),
        }),
      )
      .min(1),
  })
  .meta({ description: "Markdown documents." });
export type DocumentationOutput = z.infer<typeof DocumentationOutput>;

/** Each agent's output schema, by agent type. */
export const AGENT_OUTPUTS = {
  "feature-dev": FeatureDevOutput,
  "code-review": CodeReviewOutput,
  infrastructure: InfrastructureOutput,
  cicd: CicdOutput,
  documentation: DocumentationOutput,
} as const satisfies Record<AgentType, z.ZodType>;

/** The output schema of agent `Type`. */
export type AgentOutputSchema<Type extends AgentType> = (typeof AGENT_OUTPUTS)[Type];
/** What agent `Type`'s model answers, once validated. */
export type AgentOutput<Type extends AgentType> = z.output<AgentOutputSchema<Type>>;
