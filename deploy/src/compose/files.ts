import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

/** The repository's root, found from this file (deploy/src/compose/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const COMPOSE_DIR = `${REPO_ROOT}compose/`;

export const COMPOSE_FILES = {
  base: `${COMPOSE_DIR}docker-compose.yml`,
  prod: `${COMPOSE_DIR}docker-compose.prod.yml`,
  override: `${COMPOSE_DIR}docker-compose.override.example.yml`,
} as const;

export const ENV_EXAMPLE = `${COMPOSE_DIR}.env.example`;

/**
 * A YAML file parsed the way Compose reads it: one document, `<<` merge keys resolved, anchors
 * expanded. Any YAML error or warning (an unknown tag such as `!reset`, which this model does not
 * implement) is thrown rather than ignored.
 */
export function readYaml(path: string): Record<string, unknown> {
  const document = parseDocument(readFileSync(path, "utf8"), { merge: true, uniqueKeys: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) throw new Error(`${path}: ${problems.map((problem) => problem.message).join("; ")}`);
  const value = document.toJS({ maxAliasCount: 1000 }) as unknown;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${path}: not a mapping`);
  return value as Record<string, unknown>;
}
