import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Database, openDatabase } from "@devtools/db/client";
import { type DatabaseTarget, databaseEnvironment, databaseTargetFrom, describeTarget } from "@devtools/db/config";
import { ConfigError, parseEnvironment, serviceEnvironment } from "@devtools/service-kit/config";
import { ApiKeyStore } from "../front-door/api-keys/key-store.ts";
import { CommandError, type CommandOutput, createKey, listKeys, revokeKey } from "./commands.ts";

const USAGE = `Manages the gateway's API keys in its database (the same database variables as the gateway).

Usage:
  admin create-key --name <name>   create a key; prints it once (alone on stdout)
  admin list-keys [--json]         list keys: id, name, prefix, created, last used, revoked
  admin revoke-key <id|name|prefix>  revoke a key; gateways stop accepting it within API_KEY_CACHE_TTL_MS
`;

// Where `npm start` keeps the gateway's embedded database, so that both find the same keys.
const STACK_DATA_DIR = resolve(import.meta.dirname, "../../../../.data/stack");

const adminEnvironment = databaseEnvironment.extend({ PORT: serviceEnvironment.shape.PORT.default(8000) });

class UsageError extends Error {}

const output: CommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * PGlite lets one process at a time open a data folder, and does not lock it: a running gateway on
 * the same folder would be corrupted. Its /health answering on the gateway's port is the sign.
 */
async function refuseWhileGatewayRuns(target: DatabaseTarget, port: number): Promise<void> {
  if (target.kind !== "pglite") return;
  const running = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })
    .then(async (response) => ((await response.json()) as { service?: string }).service === "gateway")
    .catch(() => false);
  if (running) {
    throw new CommandError(
      `a gateway is running on port ${port} with the embedded database (${describeTarget(target)}), which one ` +
        "process at a time may open: stop it, run this command, and start it again (or use PostgreSQL: DATABASE_URL)",
    );
  }
}

async function run(argv: readonly string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { name: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    output.out(USAGE);
    return;
  }
  const config = parseEnvironment(adminEnvironment, process.env);
  const env =
    config.DATABASE_URL || config.POSTGRES_HOST || config.DATA_DIR ? config : { ...config, DATA_DIR: STACK_DATA_DIR };
  const target = databaseTargetFrom(env, "gateway");
  const act = commandFor(command, rest, values);
  await refuseWhileGatewayRuns(target, config.PORT);
  let database: Database | undefined;
  try {
    database = await openDatabase(target);
    await act(new ApiKeyStore(database));
  } finally {
    await database?.close();
  }
}

function commandFor(
  command: string,
  rest: readonly string[],
  values: { name?: string | undefined; json?: boolean | undefined },
): (store: ApiKeyStore) => Promise<void> {
  switch (command) {
    case "create-key":
      if (!values.name) throw new UsageError("create-key needs --name <name>");
      return (store) => createKey(store, values.name as string, output);
    case "list-keys":
      return (store) => listKeys(store, { json: values.json === true }, output);
    case "revoke-key": {
      const [reference] = rest;
      if (!reference) throw new UsageError("revoke-key needs the key's id, name or prefix");
      return (store) => revokeKey(store, reference, output);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      // parseArgs reports unknown options as a TypeError with an ERR_PARSE_ARGS_* code.
      process.stderr.write(`admin: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof CommandError || error instanceof ConfigError) {
      process.stderr.write(`admin: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`admin: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
