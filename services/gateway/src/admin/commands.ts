import { type ApiKeyStore, type ApiKeySummary, DuplicateKeyNameError } from "../front-door/api-keys/key-store.ts";

/** Where a command writes: `out` for what scripts capture (the key), `err` for what people read. */
export interface CommandOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A failure the operator can fix; printed without a stack trace. */
export class CommandError extends Error {
  override name = "CommandError";
}

const NAME = /^[\w.@:-]{1,100}$/;

/** Creates a key and prints it once: alone on stdout, so that `-s` and `$(…)` capture just the key. */
export async function createKey(store: ApiKeyStore, name: string, output: CommandOutput): Promise<void> {
  if (!NAME.test(name)) {
    throw new CommandError(
      "--name must be 1-100 letters, digits or . _ - @ : (it names the key in lists and revocations)",
    );
  }
  try {
    const { key, summary } = await store.create(name);
    output.err(`Created API key "${summary.name}" (id ${summary.id}, prefix ${summary.prefix}).`);
    output.out(key);
    output.err(
      "Store it now: it is shown only this once. Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.",
    );
  } catch (error) {
    if (error instanceof DuplicateKeyNameError) throw new CommandError(error.message);
    throw error;
  }
}

const when = (date: Date | null) => (date ? date.toISOString().replace(/\.\d+Z$/, "Z") : "-");

function table(keys: readonly ApiKeySummary[]): string[] {
  const rows = [
    ["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"],
    ...keys.map((key) => [
      key.id,
      key.name,
      key.prefix,
      when(key.createdAt),
      when(key.lastUsedAt),
      when(key.revokedAt),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** Lists every key (never a key or its hash); `json` prints one JSON array for scripts. */
export async function listKeys(store: ApiKeyStore, { json }: { json: boolean }, output: CommandOutput): Promise<void> {
  const keys = await store.list();
  if (json) {
    output.out(JSON.stringify(keys));
    return;
  }
  if (keys.length === 0) {
    output.err("No API keys yet. Create one with: admin create-key --name <name>");
    return;
  }
  for (const line of table(keys)) output.out(line);
}

/** Revokes the active key `reference` names (an id, a name or a prefix); refuses when it names several. */
export async function revokeKey(store: ApiKeyStore, reference: string, output: CommandOutput): Promise<void> {
  const matches = await store.findActiveByReference(reference);
  if (matches.length === 0) {
    throw new CommandError(`no active API key has the id, name or prefix "${reference}" (see: admin list-keys)`);
  }
  if (matches.length > 1) {
    const which = matches.map((key) => `${key.id} ("${key.name}", ${key.prefix})`).join(", ");
    throw new CommandError(`"${reference}" names several active keys: ${which}; revoke one by its id`);
  }
  const revoked = await store.revoke((matches[0] as ApiKeySummary).id);
  if (!revoked) throw new CommandError(`the key "${reference}" was revoked meanwhile`);
  output.err(`Revoked API key "${revoked.name}" (id ${revoked.id}, prefix ${revoked.prefix}).`);
  output.err("Running gateways stop accepting it within API_KEY_CACHE_TTL_MS (30 s by default).");
}
