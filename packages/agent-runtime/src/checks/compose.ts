import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import composeSpecification from "../../schemas/compose-spec.json" with { type: "json" };
import { firstProblems } from "./entries.ts";
import { parseYaml } from "./yaml.ts";

let validator: ValidateFunction | undefined;

/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec, schema/compose-spec.json),
 * compiled on first use (~200 ms) and kept. Its `$schema` names draft-07 by an https URL Ajv does not
 * know; draft-07 is Ajv's default, so it is dropped. Not strict: the schema is upstream's, not ours.
 */
function composeValidator(): ValidateFunction {
  if (!validator) {
    const { $schema: _draft, ...schema } = composeSpecification;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).split("/").join(".") : "the top level";
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "additionalProperties") {
    return `${where}: "${String(params.additionalProperty)}" is not a Compose property`;
  }
  return `${where}: ${error.message ?? "is invalid"}`;
}

/** The Compose file parses as one YAML document and validates against the Compose Specification. */
export function composeProblems(content: string): string[] {
  const parsed = parseYaml(content);
  if (!parsed.ok) return parsed.problems;
  if (parsed.documents.length !== 1) return [`must be one YAML document, not ${parsed.documents.length}`];
  const validate = composeValidator();
  if (validate(parsed.documents[0])) return [];
  // oneOf/anyOf failures repeat the same place once per branch; one line per message is enough.
  return firstProblems([...new Set((validate.errors ?? []).map(describe))]);
}
