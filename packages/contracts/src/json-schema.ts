import { z } from "zod";

/**
 * The JSON Schema of a contract, with the root schema inline rather than a `$ref` into `$defs`
 * (zod refers to any schema that has a `meta({ id })`), as capabilities and structured output expect.
 */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "output"): Record<string, unknown> {
  const document = z.toJSONSchema(schema, { io }) as Record<string, unknown> & {
    $ref?: string;
    $defs?: Record<string, Record<string, unknown>>;
  };
  const { $ref, $defs, ...rest } = document;
  const rootName = $ref?.startsWith("#/$defs/") ? $ref.slice("#/$defs/".length) : undefined;
  if (!rootName || !$defs?.[rootName]) return document;
  const { [rootName]: root, ...others } = $defs;
  return { ...rest, ...root, ...(Object.keys(others).length > 0 ? { $defs: others } : {}) };
}
