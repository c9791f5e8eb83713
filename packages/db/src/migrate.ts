// `node packages/db/src/migrate.ts`: applies the migrations to the database the environment names
// (DATABASE_URL, POSTGRES_*, or PGlite under DATA_DIR) and exits. `npm start` runs it in a child
// process so that creating an embedded database does not weigh on the long-running stack.
import { openDatabase } from "./client.ts";
import { databaseEnvironment, databaseTargetFrom, describeTarget } from "./config.ts";

const env = databaseEnvironment.parse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")));
const target = databaseTargetFrom(env, "orchestrator");
const database = await openDatabase(target);
await database.close();
process.stderr.write(`migrations applied to ${describeTarget(target)}\n`);
