import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Task, TaskPage } from "@devtools/contracts/task";
import { freePort } from "@devtools/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLinear } from "./support/fake-linear.ts";
import { runCli, startCli } from "./support/run-cli.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";

const REQUEST = "Deploy new API endpoint with authentication";

let stack: TestStack;
let linear: Awaited<ReturnType<typeof startFakeLinear>>;
let outRoot: string;
/** The CLI's environment for the gateway, with the key. */
let gateway: Record<string, string>;

beforeAll(async () => {
  linear = await startFakeLinear();
  outRoot = await mkdtemp(join(tmpdir(), "devtools-cli-out-"));
  stack = await startTestStack({
    ...linear.env,
    LINEAR_CLIENT_ID: "cli-test-client",
    LINEAR_CLIENT_SECRET: "cli-test-secret",
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // Slow enough that a subtask is seen running and a task can be cancelled mid-way: about a second per subtask.
    SIMULATOR_TOKENS_PER_SECOND: "400",
  });
  gateway = { DEVTOOLS_URL: stack.urls.gateway, DEVTOOLS_API_KEY: stack.apiKey };
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await linear?.close();
  await rm(outRoot, { recursive: true, force: true });
});

describe("devtools orchestrate --wait", () => {
  it("shows the plan and one progress line per change, writes every artifact, and exits 0", async () => {
    const out = join(outRoot, "deploy");
    const run = await runCli(["orchestrate", REQUEST, "--priority", "high", "--wait", "--out", out], gateway);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const id = /^task ([0-9a-f-]{36})/.exec(run.stdout)?.[1] as string;
    expect(id).toBeDefined();
    // The plan: stages, the five agents, and what waits for what.
    expect(run.stdout).toMatch(/high priority · planner rules · 5 subtasks in \d stages/);
    expect(run.stdout).toMatch(/stage 1 \(2 in parallel\)/);
    expect(run.stdout).toMatch(/code-review +[0-9a-f]{8} +.+← after feature-dev [0-9a-f]{8}/);
    // Not a terminal: plain lines, stamped, one per change, each agent seen running and then succeeded with its tokens.
    expect(run.stdout).not.toContain("\x1b[");
    for (const agent of ["feature-dev", "code-review", "infrastructure", "cicd", "documentation"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  › ${agent} +[0-9a-f]{8} running `, "m"));
      expect(run.stdout).toMatch(
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ✔ ${agent} +[0-9a-f]{8} succeeded +\\d+\\.\\ds +[\\d,]+ tokens`, "m"),
      );
    }
    expect(run.stdout).toMatch(/task [0-9a-f]{8} succeeded · 5\/5 done · [\d,]+ tokens/);

    // Every artifact of the finished task is on disk under <agent>/<path>, with its content.
    const task = Task.parse(JSON.parse(await readFile(join(out, "task.json"), "utf8")));
    expect(task.task_id).toBe(id);
    expect(task.status).toBe("succeeded");
    let files = 0;
    for (const subtask of task.subtasks) {
      for (const artifact of subtask.result?.artifacts ?? []) {
        expect(await readFile(join(out, subtask.agent_type, artifact.path), "utf8")).toBe(artifact.content);
        expect(run.stdout).toContain(`  ${subtask.agent_type}/${artifact.path}`);
        files += 1;
      }
    }
    expect(files).toBeGreaterThan(0);
    expect(run.stdout).toContain(`${files} artifacts and task.json written to`);

    // The same task as `task <id> --json`: the contract's document, as the API sent it.
    const shown = await runCli(["task", id, "--json"], gateway);
    expect(shown.code).toBe(0);
    const parsed = Task.parse(JSON.parse(shown.stdout));
    expect(parsed).toEqual(task);

    const human = await runCli(["task", id], gateway);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`task ${id}  succeeded`);
    expect(human.stdout).toContain(`request   ${REQUEST}`);
    expect(human.stdout).toMatch(/└ \S+ \(\w[\w-]*, \d+ chars\)/);

    // Listed by `tasks`, also when filtered, and as JSON that matches the contract.
    const listed = await runCli(["tasks", "--status", "succeeded", "--limit", "5"], gateway);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID +STATUS +PRIORITY +SUBTASKS +CREATED +REQUEST$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${id}  succeeded  high +5 `, "m"));
    const page = TaskPage.parse(JSON.parse((await runCli(["tasks", "--json"], gateway)).stdout));
    expect(page.items.map((item) => item.task_id)).toContain(id);
  });

  it("without --wait prints the plan and the task id and returns at once", async () => {
    const run = await runCli(["orchestrate", "Write the API docs", "--planner", "rules"], gateway);
    expect(run.code).toBe(0);
    const id = /^task id: ([0-9a-f-]{36})$/m.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run.stdout).toContain(`follow it: devtools task ${id}`);
    expect(run.stdout).not.toMatch(/succeeded · /);
  });

  it("exits 1 when the task it waits for is cancelled, and cancel refuses a task that already ended", async () => {
    const watcher = startCli(["orchestrate", REQUEST, "--wait", "--out", join(outRoot, "cancelled")], gateway);
    const id = (await watcher.waitForOutput(/^task ([0-9a-f-]{36})/m))[1] as string;
    await watcher.waitForOutput(/ running /);
    const cancelled = await runCli(["cancel", id], gateway);
    expect(cancelled.stderr).toBe("");
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^cancelled task ${id}: [1-5] subtasks? cancelled`));
    const watched = await watcher.done;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/⊘ \S+ +[0-9a-f]{8} cancelled/);
    expect(watched.stdout).toMatch(/task [0-9a-f]{8} cancelled · /);
    const task = Task.parse(JSON.parse(await readFile(join(outRoot, "cancelled", "task.json"), "utf8")));
    expect(task.status).toBe("cancelled");

    const again = await runCli(["cancel", id], gateway);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`task ${id} has already ended (HTTP 409)`);
  });

  it("stops watching on Ctrl-C with exit 130 and says how to follow the task that goes on", async () => {
    const watcher = startCli(["orchestrate", REQUEST, "--wait", "--out", join(outRoot, "interrupted")], gateway);
    const id = (await watcher.waitForOutput(/^task ([0-9a-f-]{36})/m))[1] as string;
    await watcher.waitForOutput(/ running /);
    watcher.signal("SIGINT");
    const run = await watcher.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`stopped watching; task ${id} goes on: devtools task ${id}`);
    await runCli(["cancel", id], gateway);
  });
});

describe("where the CLI talks", () => {
  it("refuses without the API key, saying which variable carries it", async () => {
    const run = await runCli(["tasks"], { DEVTOOLS_URL: stack.urls.gateway });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`the devtools gateway at ${stack.urls.gateway}: .*an API key is required.*\\(HTTP 401\\)`),
    );
    expect(run.stderr).toContain("set DEVTOOLS_API_KEY");
  });

  it("talks to the orchestrator directly with ORCHESTRATOR_URL or --orchestrator-url", async () => {
    const viaEnv = await runCli(["tasks", "--json"], { ORCHESTRATOR_URL: stack.urls.orchestrator });
    expect(viaEnv.code).toBe(0);
    expect(TaskPage.parse(JSON.parse(viaEnv.stdout)).items.length).toBeGreaterThan(0);
    const viaFlag = await runCli(["tasks", "--orchestrator-url", stack.urls.orchestrator, "--limit", "1"]);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout.split("\n")[1]).toMatch(/^[0-9a-f-]{36} {2}/);
  });

  it("says so when a task does not exist", async () => {
    const run = await runCli(["task", "00000000-0000-4000-8000-000000000000"], gateway);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no task with id 00000000-0000-4000-8000-000000000000 (HTTP 404)");
  });

  it("turns a request the API refuses into a usage error naming the field", async () => {
    const run = await runCli(["orchestrate", "x".repeat(20_001)], gateway);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /description: must be at most 20000 characters \(HTTP 400\)|description: must be at most 20000 characters/,
    );
  });
});

describe("devtools health", () => {
  const everyUrl = () => ({
    DEVTOOLS_URL: stack.urls.gateway,
    ORCHESTRATOR_URL: stack.urls.orchestrator,
    FEATURE_DEV_URL: stack.urls["feature-dev"],
    CODE_REVIEW_URL: stack.urls["code-review"],
    INFRASTRUCTURE_URL: stack.urls.infrastructure,
    CICD_URL: stack.urls.cicd,
    DOCUMENTATION_URL: stack.urls.documentation,
  });

  it("shows all seven services up and ready with their versions and latency, and exits 0", async () => {
    const run = await runCli(["health"], everyUrl());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SERVICE +URL +HEALTH +READY +VERSION +LATENCY +PROBLEM$/m);
    for (const [name, url] of Object.entries(stack.urls)) {
      expect(run.stdout).toMatch(new RegExp(`^${name} +${url} +up +ready +0\\.1\\.0 +\\d+ ms$`, "m"));
    }
    expect(run.stdout).toContain("all 7 services up and ready");
  });

  it("reaches the internal services through the gateway with --via-gateway", async () => {
    const run = await runCli(["health", "--via-gateway", "--json"], gateway);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as { service: string; url: string; up: boolean; ready: boolean }[];
    expect(results).toHaveLength(7);
    expect(results.every((result) => result.up && result.ready)).toBe(true);
    expect(results.find((result) => result.service === "cicd")?.url).toBe(`${stack.urls.gateway}/api/cicd`);
  });

  it("exits 1 and names the service that is down", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(["health"], { ...everyUrl(), CICD_URL: dead });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^cicd +${dead} +down +- +- +- +connection refused$`, "m"));
    expect(run.stdout).toContain("1 down: cicd");
  });
});

describe("devtools linear connect", () => {
  it("prints the authorization address, waits for the approval, and shows the connected workspace", async () => {
    const cli = startCli(["linear", "connect", "--timeout", "30"], { DEVTOOLS_URL: stack.urls.gateway });
    await cli.waitForOutput(/waiting for the connection/);
    expect(cli.stdout()).toContain(`  ${stack.urls.gateway}/oauth/linear/authorize\n`);
    // What the browser does: the gateway sends it to Linear, Linear back to the callback with a code.
    const authorize = await fetch(`${stack.urls.gateway}/oauth/linear/authorize`, { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const state = new URL(authorize.headers.get("location") as string).searchParams.get("state") as string;
    const callback = await fetch(`${stack.urls.gateway}/oauth/linear/callback?state=${state}&code=approved`);
    expect(callback.status).toBe(200);
    const run = await cli.done;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("connected to Acme (linear.app/acme) as user, scopes read, write");
  });

  it("gives up after --timeout with exit 1 when nobody approves", async () => {
    const run = await runCli(["linear", "connect", "--timeout", "1"], { DEVTOOLS_URL: stack.urls.gateway });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("currently connected to Acme; approving again replaces that connection");
    expect(run.stderr).toContain("no new Linear connection within 1 s");
  });
});
