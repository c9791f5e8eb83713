/**
 * How Compose combines `-f base.yml -f override.yml` (compose-spec "merge"): mappings merge key by
 * key with the later file winning; `environment`, `labels` and build `args` merge as maps whether
 * written as lists or maps; `command`, `entrypoint` and a healthcheck's `test` are replaced; a
 * service's `volumes` merge by container path and `ports` without duplicates; other sequences append.
 */

type Json = unknown;

const isMap = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const REPLACED = new Set(["command", "entrypoint", "test"]);
const LIST_OR_DICT = new Set(["environment", "labels", "args"]);

/** `["A=1", "B"]` → `{A: "1", B: null}`; maps are returned as they are. */
export function listOrDict(value: Json): Record<string, Json> {
  if (!Array.isArray(value)) return isMap(value) ? value : {};
  return Object.fromEntries(
    value.map((item) => {
      const text = String(item);
      const equals = text.indexOf("=");
      return equals === -1 ? [text, null] : [text.slice(0, equals), text.slice(equals + 1)];
    }),
  );
}

/** The container path of a service volume, short (`src:target:ro`) or long syntax. */
function volumeTarget(volume: Json): string {
  if (isMap(volume)) return String(volume.target);
  const parts = String(volume).split(":");
  return parts.length === 1 ? (parts[0] ?? "") : (parts[1] ?? "");
}

function mergeSequences(key: string, base: Json[], override: Json[]): Json[] {
  if (key === "volumes") {
    const byTarget = new Map(base.map((volume) => [volumeTarget(volume), volume]));
    for (const volume of override) byTarget.set(volumeTarget(volume), volume);
    return [...byTarget.values()];
  }
  const seen = new Set(base.map((item) => JSON.stringify(item)));
  return [...base, ...override.filter((item) => !seen.has(JSON.stringify(item)))];
}

function mergeValues(key: string, base: Json, override: Json): Json {
  if (override === undefined) return base;
  if (LIST_OR_DICT.has(key) && (Array.isArray(base) || isMap(base))) {
    return { ...listOrDict(base), ...listOrDict(override) };
  }
  if (REPLACED.has(key)) return override;
  if (isMap(base) && isMap(override)) return mergeMaps(base, override);
  if (Array.isArray(base) && Array.isArray(override)) return mergeSequences(key, base, override);
  return override;
}

function mergeMaps(base: Record<string, Json>, override: Record<string, Json>): Record<string, Json> {
  const merged: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(key, base[key], value);
  return merged;
}

/** The model Compose builds from several files, in the order given. */
export function mergeComposeFiles(files: readonly Record<string, Json>[]): Record<string, Json> {
  return files.reduce<Record<string, Json>>((merged, file) => mergeMaps(merged, file), {});
}
