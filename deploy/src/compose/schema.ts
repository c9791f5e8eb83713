import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { REPO_ROOT } from "./files.ts";

/**
 * The Compose Specification's JSON schema as the repository carries it (the infrastructure agent
 * validates generated compose files with the same copy), so the check runs wherever the repo is.
 */
export const COMPOSE_SCHEMA_PATH = `${REPO_ROOT}packages/agent-runtime/schemas/compose-spec.json`;

let validator: ValidateFunction | undefined;

function describe(error: ErrorObject): string {
  const where = error.instancePath || "/";
  const params = error.params as Record<string, unknown>;
  const extra = error.keyword === "additionalProperties" ? ` (${String(params.additionalProperty)})` : "";
  return `${where}: ${error.message ?? "is invalid"}${extra}`;
}

/** Schema violations of a compose model (empty when it is valid). Draft-07, Ajv's default. */
export function composeSchemaProblems(model: unknown): string[] {
  if (!validator) {
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, "utf8")) as Record<
      string,
      unknown
    >;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(model) ? [] : [...new Set((validator.errors ?? []).map(describe))];
}
