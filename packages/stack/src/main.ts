import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { createLogger } from "@devtools/service-kit/logger";
import { flushTelemetry, startTelemetry } from "@devtools/service-kit/serve";
import { environmentFor, selectServices, startStack, UnknownServiceError } from "./stack.ts";

// `npm start [-- name…]`: the whole stack, or the named services, in this process.
const dataRoot = resolve(import.meta.dirname, "../../../.data");

/** Creates or migrates the stack's database in a child process before the stack starts. */
function migrateDatabase(env: Record<string, string | undefined>) {
  const script = createRequire(import.meta.url).resolve("@devtools/db/migrate");
  const result = spawnSync(process.execPath, [script], { env, stdio: "inherit" });
  if (result.status !== 0) throw new Error("database migration failed");
}

try {
  const names = selectServices(process.argv.slice(2));
  // One SDK for the process: its resource names the one service hosted, else the stack; each span
  // still says which service made it (`devtools.service`, and the service-named tracer of its entry spans).
  await startTelemetry({ service: names.length === 1 ? (names[0] as string) : "devtools", env: process.env });
  const keepsState = names.filter((name) => name === "orchestrator" || name === "gateway");
  if (keepsState[0]) migrateDatabase(environmentFor(keepsState[0], process.env, dataRoot));
  const stack = await startStack({ names, env: process.env, dataRoot });
  const width = Math.max(...stack.services.map((service) => service.name.length));
  const lines = stack.services.map(
    (service) => `  ${service.name.padEnd(width)}  ${service.url}  (docs: ${service.url}/docs)`,
  );
  if (stack.simulator) {
    lines.push(
      `  ${"inference".padEnd(width)}  ${stack.simulator.url}  (simulator: set INFERENCE_BASE_URL for a real model)`,
    );
  }
  process.stderr.write(`\ndevtools is up:\n${lines.join("\n")}\n\nCtrl-C stops everything.\n\n`);
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping ${stack.services.length} services…\n`);
      stack
        .stop()
        .then(() => flushTelemetry(createLogger("stack", "warn")))
        .then(() => process.exit(0));
    });
  }
} catch (error) {
  const message = error instanceof UnknownServiceError ? error.message : `start-up failed: ${(error as Error).message}`;
  console.error(message);
  process.exit(error instanceof UnknownServiceError ? 2 : 1);
}
