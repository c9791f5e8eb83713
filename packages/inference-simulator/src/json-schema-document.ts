import { booleanForField } from "./field-values.ts";
import { type FieldContext, NO_CONTEXT } from "./file-kinds.ts";
import type { Rng } from "./random.ts";
import { generateNumber, generateString, type Schema } from "./schema-scalars.ts";
import type { Topic } from "./topic.ts";

// Past SOFT_DEPTH optional parts are left out so recursive schemas end; HARD_DEPTH stops the rest.
const SOFT_DEPTH = 4;
const HARD_DEPTH = 24;
const UNIQUE_ATTEMPTS = 10;

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const numberOr = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);

/** "tags" → "tag": items of a list are named after its singular, so field heuristics still apply. */
const singular = (name: string) => (name.length > 3 && name.endsWith("s") ? name.slice(0, -1) : name);

/**
 * Generates a JSON value valid against a JSON Schema (draft-07 to 2020-12, as zod, pydantic and
 * OpenAI strict mode emit them), with content drawn from the prompt's topic. The output depends
 * only on the schema, the topic and the generator's seed.
 *
 * Covered: type (and type lists, `nullable`), const, enum, object properties/required/
 * additionalProperties/propertyNames/min-maxProperties, arrays with items/prefixItems/min-maxItems/
 * uniqueItems, string format/pattern/min-maxLength, number bounds/exclusive bounds/multipleOf,
 * anyOf/oneOf (one branch), allOf (merged), $ref into $defs/definitions. Not covered: not,
 * if/then/else, dependent schemas, contains counts, and oneOf branches that overlap.
 */
export function generateDocument(schema: unknown, rng: Rng, topic: Topic): unknown {
  return new DocumentGenerator(schema, rng, topic).value(schema, "value", 0);
}

class DocumentGenerator {
  readonly #root: unknown;
  readonly #rng: Rng;
  readonly #topic: Topic;
  readonly #paths = new Set<string>();

  constructor(root: unknown, rng: Rng, topic: Topic) {
    this.#root = root;
    this.#rng = rng;
    this.#topic = topic;
  }

  value(schema: unknown, name: string, depth: number, context: FieldContext = NO_CONTEXT): unknown {
    if (schema === false || depth > HARD_DEPTH) return null;
    if (!isSchema(schema)) return generateString({}, name, this.#rng, this.#topic, context);
    const resolved = this.#resolve(schema);
    if ("const" in resolved) return resolved.const;
    const choices = asArray(resolved.enum);
    if (choices.length > 0) return this.#pickNonNull(choices);
    if (Array.isArray(resolved.allOf)) return this.value(this.#merge(resolved, "allOf"), name, depth, context);
    const branches = asArray(resolved.anyOf ?? resolved.oneOf);
    if (branches.length > 0) {
      const { anyOf: _a, oneOf: _o, ...siblings } = resolved;
      return this.value(this.#mergeInto(siblings, this.#chooseBranch(branches, depth)), name, depth, context);
    }
    switch (this.#typeOf(resolved, depth)) {
      case "object":
        return this.#object(resolved, name, depth);
      case "array":
        return this.#array(resolved, name, depth);
      case "integer":
        return generateNumber(resolved, name, true, this.#rng);
      case "number":
        return generateNumber(resolved, name, false, this.#rng);
      case "boolean":
        return booleanForField(name, this.#rng);
      case "null":
        return null;
      default:
        return this.#string(resolved, name, context);
    }
  }

  /** Follows `$ref` (JSON pointers into the root document), keeping sibling keywords. */
  #resolve(schema: Schema, seen = new Set<string>()): Schema {
    const ref = schema.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#") || seen.has(ref)) return schema;
    seen.add(ref);
    let target: unknown = this.#root;
    for (const raw of ref.slice(1).split("/").slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isSchema(target) || Array.isArray(target) ? (target as Record<string, unknown>)[key] : undefined;
    }
    const { $ref: _ref, ...siblings } = schema;
    return this.#resolve(this.#mergeInto(siblings, isSchema(target) ? target : {}), seen);
  }

  #merge(schema: Schema, keyword: "allOf"): Schema {
    const { [keyword]: parts, ...rest } = schema;
    return asArray(parts).reduce<Schema>(
      (merged, part) => this.#mergeInto(merged, isSchema(part) ? this.#resolve(part) : {}),
      rest,
    );
  }

  /** Combines two schemas' constraints: properties and required lists are unioned, others overridden. */
  #mergeInto(base: Schema, extra: Schema): Schema {
    const merged: Schema = { ...base, ...extra };
    if (isSchema(base.properties) && isSchema(extra.properties))
      merged.properties = { ...base.properties, ...extra.properties };
    if (Array.isArray(base.required) && Array.isArray(extra.required))
      merged.required = [...new Set([...base.required, ...extra.required])];
    return merged;
  }

  #pickNonNull(choices: readonly unknown[]): unknown {
    const nonNull = choices.filter((choice) => choice !== null);
    return this.#rng.pick(nonNull.length > 0 ? nonNull : choices);
  }

  /** One branch of anyOf/oneOf: usually a random one, the plainest one when deep in recursion. */
  #chooseBranch(branches: readonly unknown[], depth: number): Schema {
    const schemas = branches.map((branch) => (isSchema(branch) ? this.#resolve(branch) : {}));
    if (depth >= SOFT_DEPTH) {
      const plain = schemas.find((branch) => !["object", "array"].includes(this.#typeOf(branch, depth)));
      if (plain) return plain;
    }
    const nonNull = schemas.filter((branch) => this.#typeOf(branch, depth) !== "null");
    // Mostly a real value; sometimes the null branch, as models do for optional fields.
    return nonNull.length > 0 && !this.#rng.chance(0.1) ? this.#rng.pick(nonNull) : this.#rng.pick(schemas);
  }

  #typeOf(schema: Schema, depth: number): string {
    const declared = Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === "string") : [];
    if (typeof schema.type === "string") declared.push(schema.type);
    if (schema.nullable === true && !declared.includes("null")) declared.push("null");
    if (declared.length > 0) {
      const nonNull = declared.filter((type) => type !== "null");
      if (nonNull.length === 0) return "null";
      const nullChance = declared.includes("null") ? (depth >= SOFT_DEPTH ? 0.5 : 0.1) : 0;
      return this.#rng.chance(nullChance) ? "null" : (nonNull[0] ?? "string");
    }
    if ("properties" in schema || "additionalProperties" in schema || "required" in schema) return "object";
    if ("items" in schema || "prefixItems" in schema) return "array";
    if ("minimum" in schema || "maximum" in schema || "multipleOf" in schema) return "number";
    return "string";
  }

  /** A string; a `path` is never repeated within one document, as a model lists each file once. */
  #string(schema: Schema, name: string, context: FieldContext): string {
    const text = generateString(schema, name, this.#rng, this.#topic, context);
    if (!/path/i.test(name) || !this.#paths.has(text)) {
      this.#paths.add(text);
      return text;
    }
    const dot = text.lastIndexOf(".");
    const [stem, extension] = dot > text.lastIndexOf("/") + 1 ? [text.slice(0, dot), text.slice(dot)] : [text, ""];
    let copy = 2;
    while (this.#paths.has(`${stem}-${copy}${extension}`)) copy++;
    const unique = `${stem}-${copy}${extension}`;
    this.#paths.add(unique);
    return unique;
  }

  #object(schema: Schema, name: string, depth: number): Record<string, unknown> {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(asArray(schema.required).filter((key): key is string => typeof key === "string"));
    const additional = schema.additionalProperties;
    const made: Record<string, unknown> = {};
    const context: FieldContext = { siblings: made, parent: name };
    const optional: string[] = [];
    // Choices first (a `kind` enum), then paths, then the rest, so that a file's content can follow its
    // kind and path; the object keeps the schema's key order.
    const rank = (key: string, sub: unknown) =>
      isSchema(sub) && ("enum" in sub || "const" in sub) ? 0 : /path|file/i.test(key) ? 1 : 2;
    const entries = Object.entries(properties);
    for (const [key, sub] of [...entries].sort((a, b) => rank(...a) - rank(...b))) {
      if (required.has(key) || (depth < SOFT_DEPTH && this.#rng.chance(0.65)))
        made[key] = this.value(sub, key, depth + 1, context);
      else optional.push(key);
    }
    const out: Record<string, unknown> = {};
    for (const [key] of entries) if (key in made) out[key] = made[key];
    for (const key of required) {
      if (!(key in out)) out[key] = this.value(isSchema(additional) ? additional : {}, key, depth + 1);
    }
    const minProperties = numberOr(schema.minProperties, 0);
    while (Object.keys(out).length < minProperties && optional.length > 0) {
      const key = optional.shift() as string;
      out[key] = this.value(properties[key], key, depth + 1);
    }
    // A map-like object (no fixed properties): a few entries keyed by topic words.
    const mapLike = Object.keys(properties).length === 0 && additional !== false && isSchema(additional);
    if (mapLike || Object.keys(out).length < minProperties) {
      const valueSchema = isSchema(additional) ? additional : {};
      const wanted = Math.max(minProperties, mapLike && depth < SOFT_DEPTH ? this.#rng.int(1, 3) : 0);
      for (let attempt = 0; Object.keys(out).length < wanted && attempt < wanted * 4; attempt++) {
        const key = this.#propertyName(schema.propertyNames, attempt);
        if (!(key in out)) out[key] = this.value(valueSchema, key, depth + 1);
      }
    }
    const maxProperties = numberOr(schema.maxProperties, Number.POSITIVE_INFINITY);
    for (const key of Object.keys(out)) {
      if (Object.keys(out).length <= maxProperties) break;
      if (!required.has(key)) delete out[key];
    }
    return out;
  }

  #propertyName(schema: unknown, attempt: number): string {
    if (isSchema(schema) && (schema.enum !== undefined || schema.pattern !== undefined || schema.const !== undefined)) {
      return String(this.value(schema, "key", HARD_DEPTH));
    }
    const word = this.#topic.words[attempt % this.#topic.words.length] ?? "key";
    return word.toLowerCase().replace(/[^a-z0-9]+/g, "_") + (attempt >= this.#topic.words.length ? `_${attempt}` : "");
  }

  #array(schema: Schema, name: string, depth: number): unknown[] {
    const prefix = asArray(schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined));
    const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
    const min = numberOr(schema.minItems, 0);
    let max = numberOr(schema.maxItems, Number.POSITIVE_INFINITY);
    if (rest === false) max = Math.min(max, prefix.length);
    const natural = depth >= SOFT_DEPTH ? min : this.#rng.int(Math.max(min, 1), Math.max(min, 1) + 2);
    const count = Math.max(min, Math.min(max, natural));
    const itemName = singular(name);
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let index = 0; index < count; index++) {
      const itemSchema = index < prefix.length ? prefix[index] : (rest ?? {});
      let item = this.value(itemSchema, itemName, depth + 1);
      for (
        let attempt = 0;
        schema.uniqueItems === true && seen.has(JSON.stringify(item)) && attempt < UNIQUE_ATTEMPTS;
        attempt++
      ) {
        item = this.value(itemSchema, itemName, depth + 1);
      }
      if (schema.uniqueItems === true && seen.has(JSON.stringify(item)) && out.length >= min) break;
      seen.add(JSON.stringify(item));
      out.push(item);
    }
    return out;
  }
}
