import type { Rng } from "./random.ts";

type Node =
  | { kind: "alt"; branches: Node[][] }
  | { kind: "chars"; ranges: [number, number][]; negated: boolean }
  | { kind: "literal"; text: string }
  | { kind: "repeat"; node: Node; min: number; max: number }
  | { kind: "empty" };

const DIGIT: [number, number][] = [[48, 57]];
const WORD: [number, number][] = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const LETTERS: [number, number][] = [
  [65, 90],
  [97, 122],
];
// What "." and negated classes draw from: printable ASCII is plenty for plausible values.
const PRINTABLE: [number, number][] = [[32, 126]];
const MAX_EXTRA_REPEATS = 3;

/**
 * Samples a string from a JSON Schema `pattern` (ECMAScript syntax): alternation, groups,
 * classes, escapes and quantifiers are honoured; anchors, lookarounds and back-references are
 * skipped, so callers check the sample with RegExp and retry. Returns undefined for what it cannot parse.
 */
export function sampleRegex(pattern: string, rng: Rng): string | undefined {
  try {
    const parser = new Parser(pattern);
    const tree = parser.alternation();
    return emit(tree, rng);
  } catch {
    return undefined;
  }
}

/** Compiles a JSON Schema pattern, Unicode-aware when the pattern allows it. */
export function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {}
  }
  return undefined;
}

function emit(node: Node, rng: Rng): string {
  switch (node.kind) {
    case "alt":
      return rng
        .pick(node.branches)
        .map((child) => emit(child, rng))
        .join("");
    case "literal":
      return node.text;
    case "empty":
      return "";
    case "repeat": {
      const count = rng.int(node.min, Math.min(node.max, node.min + MAX_EXTRA_REPEATS));
      return Array.from({ length: count }, () => emit(node.node, rng)).join("");
    }
    case "chars":
      return String.fromCodePoint(pickCode(node.negated ? complement(node.ranges) : node.ranges, rng));
  }
}

function pickCode(ranges: [number, number][], rng: Rng): number {
  const [low, high] = rng.pick(ranges.length > 0 ? ranges : PRINTABLE);
  return rng.int(low, high);
}

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let code = PRINTABLE[0]?.[0] ?? 32; code <= 126; code++) {
    if (!ranges.some(([low, high]) => code >= low && code <= high)) out.push([code, code]);
  }
  return out;
}

class Parser {
  readonly #source: string;
  #at = 0;

  constructor(source: string) {
    this.#source = source;
  }

  alternation(): Node {
    const branches: Node[][] = [this.#sequence()];
    while (this.#peek() === "|") {
      this.#at++;
      branches.push(this.#sequence());
    }
    return { kind: "alt", branches };
  }

  #peek(): string | undefined {
    return this.#source[this.#at];
  }

  #next(): string {
    const char = this.#source[this.#at++];
    if (char === undefined) throw new SyntaxError("unexpected end of pattern");
    return char;
  }

  #sequence(): Node[] {
    const nodes: Node[] = [];
    for (let char = this.#peek(); char !== undefined && char !== "|" && char !== ")"; char = this.#peek()) {
      nodes.push(this.#quantified(this.#atom()));
    }
    return nodes;
  }

  #atom(): Node {
    const char = this.#next();
    if (char === "^" || char === "$") return { kind: "empty" };
    if (char === ".") return { kind: "chars", ranges: [...WORD], negated: false };
    if (char === "[") return this.#class();
    if (char === "\\") return this.#escape(false);
    if (char === "(") {
      let lookaround = false;
      if (this.#source.startsWith("?:", this.#at)) this.#at += 2;
      else if (/^\?<?[=!]/.test(this.#source.slice(this.#at, this.#at + 3))) {
        lookaround = true;
        this.#at += this.#source[this.#at + 1] === "<" ? 3 : 2;
      } else if (this.#source.startsWith("?<", this.#at)) this.#at = this.#source.indexOf(">", this.#at) + 1;
      const inner = this.alternation();
      if (this.#next() !== ")") throw new SyntaxError("unbalanced group");
      return lookaround ? { kind: "empty" } : inner;
    }
    return { kind: "literal", text: char };
  }

  #escape(inClass: boolean): Node & { kind: "chars" | "literal" | "empty" } {
    const char = this.#next();
    const classes: Record<string, [number, number][]> = { d: DIGIT, w: WORD, s: [[32, 32]] };
    const lower = classes[char];
    if (lower) return { kind: "chars", ranges: [...lower], negated: false };
    // \D, \S: letters are neither digits nor spaces; \W: "-" is not a word character.
    if (classes[char.toLowerCase()])
      return { kind: "chars", ranges: char === "W" ? [[45, 45]] : [...LETTERS], negated: false };
    const controls: Record<string, string> = { n: "\n", t: "\t", r: "\r", f: "\f", v: "\v", "0": "\0" };
    if (controls[char]) return { kind: "literal", text: controls[char] };
    // Word boundaries and back-references match nothing by themselves.
    if (!inClass && (char === "b" || char === "B" || /\d/.test(char))) return { kind: "empty" };
    if (char === "u" || char === "x") {
      const braced = this.#peek() === "{";
      const hex = braced
        ? this.#source.slice(this.#at + 1, this.#source.indexOf("}", this.#at))
        : this.#source.slice(this.#at, this.#at + (char === "u" ? 4 : 2));
      this.#at += hex.length + (braced ? 2 : 0);
      return { kind: "literal", text: String.fromCodePoint(Number.parseInt(hex, 16)) };
    }
    return { kind: "literal", text: char };
  }

  #class(): Node {
    const negated = this.#peek() === "^";
    if (negated) this.#at++;
    const ranges: [number, number][] = [];
    let first = true;
    while (this.#peek() !== "]" || first) {
      first = false;
      const start = this.#classAtom(ranges);
      if (start === undefined) continue;
      if (this.#peek() === "-" && this.#source[this.#at + 1] !== "]") {
        this.#at++;
        const end = this.#classAtom(ranges);
        if (end === undefined) throw new SyntaxError("bad class range");
        ranges.push([start, end]);
      } else {
        ranges.push([start, start]);
      }
    }
    this.#at++;
    return { kind: "chars", ranges, negated };
  }

  /** One class member: a code point, or undefined after adding a shorthand class like \d to `ranges`. */
  #classAtom(ranges: [number, number][]): number | undefined {
    const char = this.#next();
    if (char !== "\\") return char.codePointAt(0);
    const node = this.#escape(true);
    if (node.kind === "literal") return node.text.codePointAt(0);
    if (node.kind === "chars") ranges.push(...node.ranges);
    return undefined;
  }

  #quantified(node: Node): Node {
    const char = this.#peek();
    let min: number;
    let max: number;
    if (char === "*") [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (char === "+") [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (char === "?") [min, max] = [0, 1];
    else if (char === "{" && /^\{\d+(,\d*)?\}/.test(this.#source.slice(this.#at))) {
      const close = this.#source.indexOf("}", this.#at);
      const [low = "0", high] = this.#source.slice(this.#at + 1, close).split(",");
      min = Number(low);
      max = high === undefined ? min : high === "" ? Number.POSITIVE_INFINITY : Number(high);
      this.#at = close;
    } else {
      return node;
    }
    this.#at++;
    if (this.#peek() === "?") this.#at++;
    return { kind: "repeat", node, min, max };
  }
}
