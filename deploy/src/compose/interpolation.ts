/**
 * Compose's variable interpolation (compose-spec "interpolation"): `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, and
 * `$$` for a literal `$`. Defaults may themselves hold variables, as in Compose.
 */

export class InterpolationError extends Error {}

type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The `}` that closes the `${` opened just before `start`, skipping nested `${…}`. */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let index = start; index < text.length; index++) {
    if (text.startsWith("${", index)) {
      depth++;
      index++;
    } else if (text[index] === "}") {
      depth--;
      if (depth === 0) return index;
    }
  }
  throw new InterpolationError(`unclosed \${ in ${JSON.stringify(text)}`);
}

function expandBraced(body: string, lookup: Lookup, context: string): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new InterpolationError(`bad variable \${${body}} in ${context}`);
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === "") return value ?? "";
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!operator) throw new InterpolationError(`bad variable \${${body}} in ${context}`);
  const argument = rest.slice(operator.length);
  const unsetOrEmpty = value === undefined || value === "";
  switch (operator) {
    case ":-":
      return unsetOrEmpty ? interpolate(argument, lookup, context) : (value ?? "");
    case "-":
      return value === undefined ? interpolate(argument, lookup, context) : value;
    case ":?":
      if (unsetOrEmpty) throw new InterpolationError(`${name} is required: ${argument}`);
      return value ?? "";
    case "?":
      if (value === undefined) throw new InterpolationError(`${name} is required: ${argument}`);
      return value;
    case ":+":
      return unsetOrEmpty ? "" : interpolate(argument, lookup, context);
    default:
      return value === undefined ? "" : interpolate(argument, lookup, context);
  }
}

/** `text` with every variable replaced through `lookup`. @throws InterpolationError. */
export function interpolate(text: string, lookup: Lookup, context = "a compose file"): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf("$", index);
    if (dollar === -1) return result + text.slice(index);
    result += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      result += "$";
      index = dollar + 2;
    } else if (next === "{") {
      const end = closingBrace(text, dollar + 2);
      result += expandBraced(text.slice(dollar + 2, end), lookup, context);
      index = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name) {
        result += lookup(name) ?? "";
        index = dollar + 1 + name.length;
      } else {
        result += "$";
        index = dollar + 1;
      }
    }
  }
  return result;
}

/** A variable a compose file reads, with the default it falls back to (`${NAME:-default}`), if any. */
export interface VariableReference {
  name: string;
  fallback: string | undefined;
  required: boolean;
}

/** Every variable `text` reads, nested defaults included (`$$` escapes are not variables). */
export function variableReferences(text: string): VariableReference[] {
  const references: VariableReference[] = [];
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf("$", index);
    if (dollar === -1) break;
    const next = text[dollar + 1];
    if (next === "$") {
      index = dollar + 2;
    } else if (next === "{") {
      const end = closingBrace(text, dollar + 2);
      const body = text.slice(dollar + 2, end);
      const name = NAME.exec(body)?.[0] ?? "";
      const rest = body.slice(name.length);
      const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
      const argument = operator ? rest.slice(operator.length) : undefined;
      references.push({
        name,
        fallback: operator === ":-" || operator === "-" ? argument : undefined,
        required: operator === ":?" || operator === "?",
      });
      if (argument && operator !== ":?" && operator !== "?") references.push(...variableReferences(argument));
      index = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name) references.push({ name, fallback: undefined, required: false });
      index = dollar + 1 + (name?.length ?? 0);
    }
  }
  return references;
}

/** Applies `transform` to every string in a parsed YAML value, keys left alone. */
export function mapStrings(value: unknown, transform: (text: string) => string): unknown {
  if (typeof value === "string") return transform(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, transform));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, transform)]));
  }
  return value;
}

/** Every string in a parsed YAML value. */
export function allStrings(value: unknown): string[] {
  const strings: string[] = [];
  mapStrings(value, (text) => {
    strings.push(text);
    return text;
  });
  return strings;
}
