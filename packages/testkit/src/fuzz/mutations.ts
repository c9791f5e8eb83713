import fc from "fast-check";
import { longString, oddString } from "./odd-strings.ts";

type Path = (string | number)[];

/** Values of the wrong type, or at the edge of their type, to put where a field was. */
function wrongValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, 0, -1, 1.5, -0, 2 ** 53 + 1, 1e308, -1e308, "", "0", "NaN", "null", [], {}, [null]),
    oddString(),
    { weight: 1, arbitrary: longString() },
    fc.jsonValue({ maxDepth: 2 }),
  );
}

/** Field names a server should refuse or ignore, prototype-pollution probes among them. */
const extraKey = () =>
  fc.oneof(
    fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", " ", "id", "status", "$where"),
    fc.string({ minLength: 1, maxLength: 12 }),
  );

const MUTATIONS = ["replace", "remove", "add", "oddText", "wrapInArray", "notAnObject"] as const;
type Mutation = (typeof MUTATIONS)[number];

/**
 * `valid` bent out of shape in one place: a field replaced by a wrong type or an odd text, a
 * (required) field removed, an unknown field added, a value wrapped in an array, or the whole body
 * replaced by something that is not an object.
 */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.constantFrom(...MUTATIONS), fc.nat(), wrongValue(), extraKey(), oddString())
    .map(([value, mutation, pick, wrong, key, odd]) => mutate(value, mutation, pick, { wrong, key, odd }));
}

function mutate(
  value: unknown,
  mutation: Mutation,
  pick: number,
  material: { wrong: unknown; key: string; odd: string },
): unknown {
  if (mutation === "notAnObject") return material.wrong;
  const copy = structuredClone(value);
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length] ?? [];
  if (path.length === 0) {
    // The body itself is the only place: mutate the whole of it.
    return mutation === "wrapInArray" ? [copy] : material.wrong;
  }
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  switch (mutation) {
    case "replace":
      parent[last] = material.wrong;
      break;
    case "remove":
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case "add": {
      // An own property even for `__proto__`, as JSON.parse would make it.
      const target = Array.isArray(parent) ? copy : parent;
      if (typeof target === "object" && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, material.key, { value: material.wrong, enumerable: true, writable: true });
      } else parent[last] = material.wrong;
      break;
    }
    case "oddText":
      parent[last] = typeof parent[last] === "string" ? `${parent[last]}${material.odd}` : material.odd;
      break;
    case "wrapInArray":
      parent[last] = [parent[last]];
      break;
  }
  return copy;
}

/** Every path into `value` (not the root), depth first, capped so that huge values stay cheap. */
function pathsOf(value: unknown, prefix: Path = [], into: Path[] = []): Path[] {
  if (into.length > 200 || typeof value !== "object" || value === null) return into;
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    into.push([...prefix, key]);
    pathsOf(item, [...prefix, key], into);
  }
  return into;
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
}
