import { z } from "zod";

type JsonSchema = Record<string, unknown>;

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether `schema` already accepts null. */
function allowsNull(schema: JsonSchema): boolean {
  const { type } = schema;
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  if (schema.const === null || (Array.isArray(schema.enum) && schema.enum.includes(null))) return true;
  const branches = [schema.anyOf, schema.oneOf].flatMap((list) => (Array.isArray(list) ? list : []));
  return branches.some((branch) => isSchema(branch) && allowsNull(branch));
}

/** `schema` or null: how strict mode spells an optional property, which must still be listed as required. */
function orNull(schema: JsonSchema): JsonSchema {
  if (allowsNull(schema)) return schema;
  if (typeof schema.type === "string" && schema.enum === undefined && schema.const === undefined) {
    return { ...schema, type: [schema.type, "null"] };
  }
  return { anyOf: [schema, { type: "null" }] };
}

const isObjectSchema = (schema: JsonSchema) =>
  schema.type === "object" ||
  (Array.isArray(schema.type) && schema.type.includes("object")) ||
  isSchema(schema.properties);

// A record (`z.record`) describes its values with additionalProperties; closing it would forbid every key.
const isRecordSchema = (schema: JsonSchema) =>
  isSchema(schema.additionalProperties) && Object.keys(schema.additionalProperties).length > 0;

const isPlainStringSchema = (value: unknown) =>
  isSchema(value) && value.type === "string" && Object.keys(value).length === 1;

const mapValues = (record: JsonSchema, map: (value: unknown) => unknown): JsonSchema =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

function strict(node: unknown): unknown {
  if (!isSchema(node)) return node;
  const schema: JsonSchema = { ...node };
  for (const key of ["items", "additionalItems", "contains", "not"]) {
    if (isSchema(schema[key])) schema[key] = strict(schema[key]);
  }
  for (const key of ["anyOf", "oneOf", "allOf", "prefixItems"]) {
    const list = schema[key];
    if (Array.isArray(list)) schema[key] = list.map(strict);
  }
  for (const key of ["$defs", "definitions"]) {
    const defs = schema[key];
    if (isSchema(defs)) schema[key] = mapValues(defs, strict);
  }
  if (isSchema(schema.properties)) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => {
        const property = strict(value);
        return [key, required.has(key) || !isSchema(property) ? property : orNull(property)];
      }),
    );
    schema.properties = properties;
    schema.required = Object.keys(properties);
  }
  if (isObjectSchema(schema)) {
    schema.additionalProperties = isRecordSchema(schema) ? strict(schema.additionalProperties) : false;
    // JSON keys are strings anyway, and some guided-decoding backends (vLLM's xgrammar) reject the keyword.
    if (isPlainStringSchema(schema.propertyNames)) delete schema.propertyNames;
  }
  return schema;
}

/**
 * The JSON schema of what a model must write for `schema` to accept it, in the shape strict
 * structured output wants (OpenAI's `strict: true`, which vLLM, Ollama and LM Studio also read):
 * every object closed with `additionalProperties: false` (records excepted) and every property
 * required; an optional property becomes required-but-nullable, and `parseAnswer` reads its null as
 * absent. It is the zod *input* type, because the model's JSON is what zod parses.
 */
export function strictJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...generated } = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  return strict(generated) as JsonSchema;
}
