import { copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { join, posix } from "node:path";

interface IgnorePattern {
  regex: RegExp;
  /** A `!pattern`: puts back what an earlier pattern left out. */
  include: boolean;
  /** The pattern's leading literal folders, to know which excluded folders it could reach into. */
  literalPrefix: string;
}

/** A .dockerignore pattern as Docker matches it (moby/patternmatcher): from the context root, `**` spans folders. */
function patternRegex(pattern: string): RegExp {
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === "*" && pattern[index + 1] === "*") {
      index++;
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (pattern[index + 1] === "/") {
        index++;
        source += "(?:.*/)?";
      } else source += ".*";
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "\\" && index + 1 < pattern.length) source += `\\${pattern[++index]}`;
    else source += /[.+^${}()|[\]]/.test(char) ? `\\${char}` : char;
  }
  return new RegExp(`^${source}$`);
}

/** Reads a .dockerignore: comments and blank lines dropped, each pattern cleaned as Docker cleans it. */
export function readDockerignore(text: string): IgnorePattern[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const include = line.startsWith("!");
      const cleaned = posix.normalize((include ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, "");
      const literalPrefix = cleaned.split(/[*?[\\]/, 1)[0] ?? "";
      return { regex: patternRegex(cleaned), include, literalPrefix };
    });
}

/** Whether Docker leaves `path` (relative, `/`-separated) out of the build context: the last matching pattern wins. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = path.split("/");
  let ignored = false;
  for (const pattern of patterns) {
    // A pattern that matches a folder matches everything in it.
    const matches = parts.some((_part, index) => pattern.regex.test(parts.slice(0, index + 1).join("/")));
    if (matches) ignored = !pattern.include;
  }
  return ignored;
}

/**
 * Copies what `docker build` would send as the context of `root` into `destination`, honouring
 * root/.dockerignore. An ignored folder is not entered unless a `!` pattern could reach into it,
 * so node_modules costs nothing.
 */
export function copyBuildContext(root: string, destination: string): string[] {
  const patterns = readDockerignore(readFileSync(join(root, ".dockerignore"), "utf8"));
  const reIncluders = patterns.filter((pattern) => pattern.include);
  const copied: string[] = [];
  const walk = (relative: string) => {
    mkdirSync(join(destination, relative), { recursive: true });
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const ignored = isIgnored(patterns, path);
      if (entry.isDirectory()) {
        const reachable = reIncluders.some(
          (pattern) => pattern.literalPrefix.startsWith(`${path}/`) || path.startsWith(pattern.literalPrefix),
        );
        if (!ignored || reachable) walk(path);
      } else if (!ignored) {
        if (entry.isSymbolicLink()) symlinkSync(readlinkSync(join(root, path)), join(destination, path));
        else copyFileSync(join(root, path), join(destination, path));
        copied.push(path);
      }
    }
  };
  walk("");
  return copied;
}
