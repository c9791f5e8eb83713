#!/usr/bin/env node
import { parseCommandLine, usage } from "./cli.ts";
import { startSimulator } from "./server.ts";

/** The bin: flags and SIMULATOR_* variables in, one log line out, stop on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { options, help } = parseCommandLine(process.argv.slice(2), process.env);
  if (help) {
    process.stdout.write(usage());
    return;
  }
  const simulator = await startSimulator(options);
  const models = simulator.options.servedModelNames.join(", ");
  process.stdout.write(`inference simulator listening on ${simulator.url} (model ${models})\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      simulator.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  const err = error as NodeJS.ErrnoException;
  const message = err.code === "EADDRINUSE" ? `port already in use (${err.message})` : (err.message ?? String(error));
  console.error(`inference simulator: start-up failed: ${message}`);
  process.exit(1);
});
