import fc from "fast-check";
import { oddString } from "./odd-strings.ts";

/** A JSON Schema (2020-12, as `z.toJSONSchema` and OpenAPI 3.1 write it), read loosely. */
export type JsonSchema = { [keyword: string]: unknown };

export interface SchemaArbitraryOptions {
  /** The document `$ref`s point into (an OpenAPI document, or a schema with `$defs`); the schema itself by default. */
  root?: JsonSchema;
  /** Values for properties by dotted path (`upstream.summary`, `webhookTimestamp`), instead of the schema's. */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Past this depth objects keep only their required properties and arrays their minimum items. */
  maxDepth?: number;
}

const ABSENT = Symbol("absent");

// Long enough to cross typical limits now and then, short enough to keep thousands of requests cheap.
const TYPICAL_MAX_LENGTH = 64;
const TYPICAL_MAX_ITEMS = 4;

/**
 * Values shaped like `schema`: every required property, types, enums, formats, lengths and bounds
 * respected, with strings that mix ASCII, any Unicode and odd characters. Refinements a JSON Schema
 * cannot express (a zod `.refine`) are not, which is fine: those bodies exercise the 4xx paths.
 */
export function arbitraryFromSchema(schema: JsonSchema, options: SchemaArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const root = options.root ?? schema;
  const overrides = options.overrides ?? {};
  const maxDepth = options.maxDepth ?? 6;

  // `at` is where the walk is: the path to the value, the depth, and the schema whose `$defs` a
  // `#/$defs/…` means (an embedded schema, like an MCP tool's input schema, keeps its own).
  type At = { path: string[]; depth: number; scope: JsonSchema };
  const walk = (node: JsonSchema, at: At): fc.Arbitrary<unknown> => {
    const override = overrides[at.path.join(".")];
    if (override) return override;
    // A schema that requires itself (through `$ref`) would never end.
    if (at.depth > maxDepth * 2) return fc.constant(null);
    if (node.$defs && node !== root) at = { ...at, scope: node };
    if (typeof node.$ref === "string") {
      const ref = node.$ref;
      return walk(resolveRef(ref.startsWith("#/$defs/") ? at.scope : root, ref), at);
    }
    if ("const" in node) return fc.constant(node.const);
    if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as unknown[]));
    const alternatives = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
    if (alternatives) return fc.oneof(...alternatives.map((alternative) => walk(alternative, at)));
    if (Array.isArray(node.allOf)) return walk(mergeAll(node.allOf as JsonSchema[], root), at);
    if (Array.isArray(node.type)) {
      return fc.oneof(...(node.type as string[]).map((type) => walk({ ...node, type }, at)));
    }
    switch (node.type) {
      case "string":
        return stringFor(node);
      case "integer":
        return integerFor(node);
      case "number":
        return numberFor(node);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array":
        return arrayFor(node, at);
      case "object":
        return objectFor(node, at);
      default:
        return node.properties ? objectFor(node, at) : fc.jsonValue({ maxDepth: 2 });
    }
  };

  const arrayFor = (node: JsonSchema, at: At) => {
    const { depth } = at;
    const minLength = numberKeyword(node, "minItems") ?? 0;
    const ceiling = depth >= maxDepth ? minLength : minLength + TYPICAL_MAX_ITEMS;
    const maxLength = Math.min(numberKeyword(node, "maxItems") ?? ceiling, ceiling);
    const items = (node.items as JsonSchema | undefined) ?? {};
    return fc.array(walk(items, { ...at, depth: depth + 1 }), { minLength, maxLength });
  };

  const objectFor = (node: JsonSchema, at: At) => {
    const { path, depth } = at;
    const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((node.required ?? []) as string[]);
    const keys = Object.keys(properties).filter((key) => depth < maxDepth || required.has(key));
    // Optional properties come one time in three: a body with every one of them set is rarely valid.
    const record = fc
      .record(
        Object.fromEntries(
          keys.map((key) => {
            const value = walk(properties[key] as JsonSchema, { ...at, path: [...path, key], depth: depth + 1 });
            return [key, required.has(key) ? value : fc.oneof({ weight: 2, arbitrary: fc.constant(ABSENT) }, value)];
          }),
        ),
      )
      .map((value) => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== ABSENT)));
    const additional = node.additionalProperties;
    if (keys.length > 0 || typeof additional !== "object" || additional === null) return record;
    // A map (`z.record`): a few entries of the value schema.
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 16 }),
      walk(additional as JsonSchema, { ...at, depth: depth + 1 }),
      {
        maxKeys: depth >= maxDepth ? 0 : 3,
      },
    );
  };

  return walk(schema, { path: [], depth: 0, scope: root });
}

/** Follows a local `$ref` (`#/components/schemas/Task`, `#/$defs/Artifact`) inside `root`. */
export function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, not ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    node = (node as Record<string, unknown> | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (typeof node !== "object" || node === null) throw new Error(`$ref ${ref} points at nothing`);
  return node as JsonSchema;
}

function mergeAll(parts: JsonSchema[], root: JsonSchema): JsonSchema {
  const merged: JsonSchema = {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    const resolved = typeof part.$ref === "string" ? resolveRef(root, part.$ref) : part;
    Object.assign(merged, resolved);
    Object.assign(properties, resolved.properties);
    required.push(...((resolved.required as string[] | undefined) ?? []));
  }
  return { ...merged, properties, required };
}

const numberKeyword = (node: JsonSchema, keyword: string): number | undefined =>
  typeof node[keyword] === "number" ? (node[keyword] as number) : undefined;

const FORMATS: Record<string, () => fc.Arbitrary<string>> = {
  uuid: () => fc.uuid({ version: [1, 4, 7] }),
  uri: () => fc.webUrl({ withQueryParameters: true }),
  url: () => fc.webUrl(),
  email: () => fc.emailAddress(),
  "date-time": () => fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  date: () => fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
};

function stringFor(node: JsonSchema): fc.Arbitrary<string> {
  const format = typeof node.format === "string" ? FORMATS[node.format] : undefined;
  if (format) return format();
  const minLength = numberKeyword(node, "minLength") ?? 0;
  const maxLength = numberKeyword(node, "maxLength");
  if (typeof node.pattern === "string") {
    try {
      const pattern = new RegExp(node.pattern);
      return fc.stringMatching(pattern).filter((value) => fitsLength(value, minLength, maxLength));
    } catch {
      // A pattern JavaScript cannot read: fall through to plain strings.
    }
  }
  const typicalMax = Math.min(maxLength ?? Number.POSITIVE_INFINITY, minLength + TYPICAL_MAX_LENGTH);
  const text = fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ minLength, maxLength: typicalMax, unit: "grapheme-ascii" }) },
      { weight: 2, arbitrary: fc.string({ minLength, maxLength: typicalMax, unit: "grapheme" }) },
      { weight: 1, arbitrary: oddString() },
    )
    .filter((value) => fitsLength(value, minLength, maxLength));
  // The exact upper bound is where off-by-one mistakes live.
  return maxLength === undefined || maxLength > 100_000
    ? text
    : fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: fc.constant("x".repeat(maxLength)) });
}

const fitsLength = (value: string, min: number, max: number | undefined) =>
  value.length >= min && (max === undefined || value.length <= max);

function integerFor(node: JsonSchema): fc.Arbitrary<number> {
  const exclusiveMin = numberKeyword(node, "exclusiveMinimum");
  const exclusiveMax = numberKeyword(node, "exclusiveMaximum");
  const min = numberKeyword(node, "minimum") ?? (exclusiveMin === undefined ? undefined : exclusiveMin + 1);
  const max = numberKeyword(node, "maximum") ?? (exclusiveMax === undefined ? undefined : exclusiveMax - 1);
  return fc.integer({
    min: Math.max(Math.ceil(min ?? -(2 ** 31)), Number.MIN_SAFE_INTEGER),
    max: Math.min(Math.floor(max ?? 2 ** 31 - 1), Number.MAX_SAFE_INTEGER),
  });
}

function numberFor(node: JsonSchema): fc.Arbitrary<number> {
  const min = numberKeyword(node, "minimum") ?? numberKeyword(node, "exclusiveMinimum");
  const max = numberKeyword(node, "maximum") ?? numberKeyword(node, "exclusiveMaximum");
  return fc.double({
    noNaN: true,
    noDefaultInfinity: true,
    ...(min === undefined ? {} : { min, minExcluded: "exclusiveMinimum" in node }),
    ...(max === undefined ? {} : { max, maxExcluded: "exclusiveMaximum" in node }),
  });
}
