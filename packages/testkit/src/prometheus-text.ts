/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests that check what a
 * service's /metrics says: every line's syntax, label escaping, histogram consistency.
 */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<string>(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

function parseValue(text: string, where: string): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

/** Reads `{a="x",b="y\"z"}` from `line` at `start`; answers the labels and where the block ends. */
function parseLabels(line: string, start: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let at = start + 1;
  while (line[at] !== "}") {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at))?.[0];
    if (!name || !LABEL_NAME.test(name)) throw new Error(`${where}: bad label name at ${at}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    at += name.length;
    if (line.slice(at, at + 2) !== '="') throw new Error(`${where}: expected =" after ${name}`);
    at += 2;
    let value = "";
    for (;;) {
      const char = line[at];
      if (char === undefined) throw new Error(`${where}: unterminated label value`);
      if (char === '"') break;
      if (char === "\\") {
        const escaped = line[at + 1];
        if (escaped === "\\" || escaped === '"') value += escaped;
        else if (escaped === "n") value += "\n";
        else throw new Error(`${where}: bad escape \\${escaped ?? ""} in label ${name}`);
        at += 2;
      } else {
        value += char;
        at += 1;
      }
    }
    labels[name] = value;
    at += 1;
    if (line[at] === ",") at += 1;
    else if (line[at] !== "}") throw new Error(`${where}: expected , or } after label ${name}`);
  }
  return { labels, end: at + 1 };
}

/**
 * Parses a /metrics body, rejecting anything Prometheus would: bad names, labels, escapes or values,
 * a TYPE after its samples or twice, a family's samples split up, duplicate series, samples whose
 * name does not fit their type, and histograms whose buckets are not cumulative up to `+Inf` = count.
 */
export function parsePrometheusText(body: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | undefined;
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) {
      found = { type: "untyped", help: "", samples: [] };
      families.set(name, found);
    }
    return found;
  };
  const enter = (name: string, where: string) => {
    if (current === name) return;
    if (closed.has(name)) throw new Error(`${where}: samples of ${name} are not together`);
    if (current) closed.add(current);
    current = name;
  };
  body.split("\n").forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(" ");
      if (keyword !== "HELP" && keyword !== "TYPE") return; // a plain comment
      if (!name || !METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name in ${keyword}`);
      enter(name, where);
      const target = family(name);
      if (keyword === "TYPE") {
        const type = rest.join(" ");
        if (!TYPES.has(type)) throw new Error(`${where}: unknown type ${type}`);
        if (target.samples.length > 0) throw new Error(`${where}: TYPE of ${name} after its samples`);
        target.type = type as MetricType;
      } else {
        // The only escapes a docstring may hold are \\ and \n.
        if (
          rest
            .join(" ")
            .replace(/\\[\\n]/g, "")
            .includes("\\")
        )
          throw new Error(`${where}: bad escape in HELP`);
        target.help = rest.join(" ");
      }
      return;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`${where}: bad sample ${line}`);
    let labels: Record<string, string> = {};
    let at = name.length;
    if (line[at] === "{") ({ labels, end: at } = parseLabels(line, at, where));
    if (line[at] !== " ") throw new Error(`${where}: expected a space before the value`);
    const [value, timestamp, ...extra] = line.slice(at + 1).split(" ");
    if (extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) {
      throw new Error(`${where}: trailing text`);
    }
    const owner =
      current && SUFFIXES[family(current).type].some((suffix) => `${current}${suffix}` === name) ? current : name;
    enter(owner, where);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`${where}: duplicate series ${series}`);
    seen.add(series);
    const target = family(owner);
    if (name === `${owner}_bucket` && !("le" in labels)) {
      throw new Error(`${where}: bucket without le`);
    }
    target.samples.push({ name, labels, value: parseValue(value ?? "", where) });
  });
  for (const [name, { type, samples }] of families) if (type === "histogram") checkHistogram(name, samples);
  return families;
}

function checkHistogram(name: string, samples: Sample[]): void {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, group] of groups) {
    const buckets = group.filter((sample) => sample.name === `${name}_bucket`);
    const count = group.find((sample) => sample.name === `${name}_count`);
    const last = buckets.at(-1);
    if (last?.labels.le !== "+Inf" || !count || last.value !== count.value) {
      throw new Error(`${name}${key}: the +Inf bucket must exist and equal _count`);
    }
    buckets.forEach((bucket, index) => {
      const previous = buckets[index - 1];
      if (previous && (Number(bucket.labels.le) <= Number(previous.labels.le) || bucket.value < previous.value)) {
        throw new Error(`${name}${key}: buckets not cumulative at le=${bucket.labels.le}`);
      }
    });
  }
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function total(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const owner = [...families.entries()].find(([family, { type }]) =>
    SUFFIXES[type].some((suffix) => `${family}${suffix}` === name),
  );
  const samples = owner?.[1].samples.filter((sample) => sample.name === name) ?? [];
  if (samples.length === 0) throw new Error(`no ${name} on this /metrics`);
  return samples
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Every series name the families declare: histograms' `_bucket`, `_sum` and `_count`, and the rest by name. */
export function declaredSeries(families: Map<string, Family>): string[] {
  return [...families].flatMap(([name, family]) => SUFFIXES[family.type].map((suffix) => `${name}${suffix}`));
}
