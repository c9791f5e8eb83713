/** One assignment of a `.env` file, as Compose reads it. */
export interface EnvEntry {
  name: string;
  value: string;
  /** The comment line right above says "(optional)": scripts/env-check.sh lets it be empty. */
  optional: boolean;
}

/**
 * Parses a `.env` file the way Compose and scripts/env-check.sh do: `NAME=value` lines, an optional
 * `export `, surrounding quotes removed, `#` lines and blank lines skipped, later lines winning.
 */
export function parseEnvFile(text: string): Map<string, EnvEntry> {
  const entries = new Map<string, EnvEntry>();
  let comment = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#")) {
      comment = line;
      continue;
    }
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      let value = match[2].trim();
      if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
      entries.set(match[1], { name: match[1], value, optional: comment.includes("(optional)") });
    }
    comment = "";
  }
  return entries;
}

/** The file text with each named variable's value replaced (other lines kept as they are). */
export function withValues(text: string, values: Record<string, string>): string {
  return text
    .split("\n")
    .map((line) => {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
      return name !== undefined && name in values ? `${name}=${values[name]}` : line;
    })
    .join("\n");
}
