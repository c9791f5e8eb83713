#!/usr/bin/env node
import { runCli } from "./cli/run.ts";
import { processTerminal } from "./cli/terminal.ts";

// The first Ctrl-C asks the running command to stop (orchestrate --wait says how to follow the task
// that goes on); a second one leaves at once.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new Error("interrupted"));
});

const terminal = processTerminal();
process.exitCode = await runCli(process.argv.slice(2), terminal, process.env, interrupt.signal);
