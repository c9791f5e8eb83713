import { isAbsolute, relative, resolve, sep } from "node:path";

export type ArtifactTarget = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Where an artifact's path lands inside `folder`, or why it may not: an agent's output is model
 * output, and a path like `../../.ssh/config` or `/etc/passwd` must not write outside the folder
 * the user chose. Backslashes count as separators, so a Windows-style path is judged the same.
 */
export function artifactTarget(folder: string, path: string): ArtifactTarget {
  if (path.includes("\0")) return { ok: false, reason: "contains a NUL byte" };
  const normalized = path.replaceAll("\\", "/");
  if (isAbsolute(normalized) || /^[a-zA-Z]:/.test(normalized)) return { ok: false, reason: "is absolute" };
  const root = resolve(folder);
  const target = resolve(root, normalized);
  const inside = relative(root, target);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { ok: false, reason: "escapes the folder" };
  }
  return { ok: true, path: target };
}
