import { freePort } from "@devtools/testkit/process";
import { describe, expect, it } from "vitest";
import { runCli as runInProcess } from "../src/cli/run.ts";
import { captureTerminal } from "./support/capture-terminal.ts";
import { runCli } from "./support/run-cli.ts";

const REQUEST = "Deploy new API endpoint with authentication";

async function run(args: string[], env: Record<string, string> = {}) {
  const terminal = captureTerminal();
  const code = await runInProcess(args, terminal, env, new AbortController().signal);
  return { code, stdout: terminal.stdout.join(""), stderr: terminal.stderr.join("") };
}

describe("the devtools process", () => {
  it("prints its usage on --help and exits 0", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["orchestrate", "tasks", "task", "cancel", "health", "linear connect"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"));
    }
  });

  it("exits 2 on a usage error, with the message on stderr", async () => {
    const usage = await runCli(["orchestrate", REQUEST, "--priority", "urgent"]);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe("");
    expect(usage.stderr).toContain('--priority must be one of low, medium, high, critical (got "urgent")');
  });

  it("exits 3 naming the URL when nothing answers there", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const runs = await Promise.all([
      runCli(["tasks"], { DEVTOOLS_URL: dead }),
      runCli(["orchestrate", REQUEST, "--wait"], { DEVTOOLS_URL: dead }),
      runCli(["cancel", "00000000-0000-4000-8000-000000000000", "--orchestrator-url", dead]),
    ]);
    for (const result of runs) expect(result.code).toBe(3);
    const message = `cannot reach the devtools gateway at ${dead} (connection refused): is the stack running? Start it with \`npm start\``;
    expect(runs[0]?.stderr).toContain(message);
    expect(runs[1]?.stderr).toContain(message);
    expect(runs[2]?.stderr).toContain(`cannot reach the orchestrator at ${dead} (connection refused)`);
  });

  it("health exits 3 with a clear message when no service answers", async () => {
    const env: Record<string, string> = {};
    for (const name of [
      "DEVTOOLS_URL",
      "ORCHESTRATOR_URL",
      "FEATURE_DEV_URL",
      "CODE_REVIEW_URL",
      "INFRASTRUCTURE_URL",
      "CICD_URL",
      "DOCUMENTATION_URL",
    ]) {
      env[name] = `http://127.0.0.1:${await freePort()}`;
    }
    const health = await runCli(["health"], env);
    expect(health.code).toBe(3);
    expect(health.stdout).toMatch(new RegExp(`^gateway +${env.DEVTOOLS_URL} +down +- +- +- +connection refused$`, "m"));
    expect(health.stdout).toContain(
      "7 down: gateway, orchestrator, feature-dev, code-review, infrastructure, cicd, documentation",
    );
    expect(health.stderr).toContain(
      `no service answers (${env.DEVTOOLS_URL} and the others above): is the stack running?`,
    );
  });
});

describe("the command line", () => {
  it("answers --help on every command with its usage, exit 0, before looking at anything else", async () => {
    const commands = [["orchestrate"], ["tasks"], ["task"], ["cancel"], ["health"], ["linear", "connect"]];
    for (const command of commands) {
      // Even with arguments that would be wrong: help wins.
      const result = await run([...command, "--bogus", "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: devtools ${command.join(" ")}`));
      expect(result.stdout).toMatch(/-h, --help/);
    }
    expect((await run(["help", "tasks"])).stdout).toMatch(/^Usage: devtools tasks/);
    // After `--` it is part of the request, not a flag.
    expect((await run(["orchestrate", "--", "explain --help"], { DEVTOOLS_URL: "http://127.0.0.1:1" })).code).toBe(3);
  });

  it("exits 2 on a usage error, saying what is wrong and where the help is", async () => {
    const cases: [string[], RegExp, string?][] = [
      [[], /no command given/],
      [["deploy"], /unknown command "deploy"/],
      [["--url", "x", "tasks"], /options go after the command/],
      [["orchestrate"], /missing the request/, "orchestrate"],
      [["orchestrate", "  "], /the request must not be empty/, "orchestrate"],
      [["orchestrate", REQUEST, "--planner", "magic"], /--planner must be one of auto, llm, rules/, "orchestrate"],
      [["orchestrate", REQUEST, "--max-tokens", "-5"], /--max-tokens/, "orchestrate"],
      [["orchestrate", REQUEST, "--wait=yes"], /--wait/, "orchestrate"],
      [["tasks", "--limit", "500"], /--limit must be a whole number from 1 to 100 \(got "500"\)/, "tasks"],
      [["tasks", "--status", "done"], /--status must be one of pending, running, succeeded/, "tasks"],
      [["tasks", "extra"], /unexpected argument "extra"/, "tasks"],
      [["task", "not-a-uuid"], /"not-a-uuid" is not a task id/, "task"],
      [["task"], /missing the task id/, "task"],
      [["cancel", "a", "b"], /unexpected argument "b"/, "cancel"],
      [["health", "--verbose"], /Unknown option '--verbose'/, "health"],
      [["linear"], /linear needs a command: devtools linear connect/],
      [["linear", "disconnect"], /unknown command "linear disconnect"/],
      [["linear", "connect", "--timeout", "0"], /--timeout must be a whole number from 1/, "linear connect"],
    ];
    for (const [args, message, command] of cases) {
      const result = await run(args);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(`(see \`devtools ${command ? `${command} ` : ""}--help\`)`);
      expect(result.stdout).toBe("");
    }
  });

  it("names a malformed variable", async () => {
    const result = await run(["tasks"], { DEVTOOLS_URL: "localhost:8000" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bad environment: DEVTOOLS_URL must be an http:// or https:// URL");
  });
});
