import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_NAMES } from "@devtools/contracts/services";
import type { Task } from "@devtools/contracts/task";
import { createApiKey, type StackProcess, stackEnvironment, startStackProcess } from "@devtools/testkit/stack";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The web view end to end: the whole stack (gateway, orchestrator, five agents, the inference
// simulator) as one process on free ports, driven by Debian's Chromium through playwright-core.

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(tmpdir(), "devtools-ui-test", "ui.png");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must run the browser test`);

describe.skipIf(!hasChromium)("the web view at /ui", () => {
  let stack: StackProcess | undefined;
  let browser: Browser | undefined;
  let gateway: string;
  let key: string;

  beforeAll(async () => {
    // Slow enough that the page sees subtasks pending and running before they turn green.
    const environment = await stackEnvironment({ SIMULATOR_TTFT_MS: "700" });
    gateway = environment.urls.gateway;
    key = createApiKey(environment, "ui-test");
    stack = await startStackProcess(environment, { timeoutMs: 40_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop("SIGTERM");
  });

  it("starts a task from the form, draws its plan turning green, shows and downloads an artifact, and the services' health", async () => {
    const context = await (browser as Browser).newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    // A CSP violation, a failed module or any uncaught error shows up here.
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`${message.text()} (${message.location().url})`);
    });

    const shell = await page.goto(`${gateway}/ui`);
    expect(shell?.status()).toBe(200);
    expect(shell?.headers()["content-security-policy"]).toContain("script-src 'self'");

    // Keys are on: the page asks for one before any data call succeeds.
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Use this key" }).click();

    await page.getByLabel("Request").fill("Deploy new API endpoint with authentication");
    await page.getByLabel("Priority").selectOption("high");
    await page.getByRole("button", { name: "Start task" }).click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    const taskId = new URL(page.url()).hash.slice("#/tasks/".length);

    const nodes = page.locator(".graph .node");
    await expect.poll(() => nodes.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const total = await nodes.count();
    // The first stage cannot be done yet (the simulator takes 700 ms to answer): the green comes live.
    const firstStatuses = await nodes.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute("data-status")),
    );
    expect(firstStatuses.some((status) => status !== "succeeded")).toBe(true);
    const edges = await page.locator(".graph .edge").count();
    expect(edges).toBeGreaterThan(0);

    await expect
      .poll(() => page.locator('.graph .node[data-status="succeeded"]').count(), { timeout: 45_000, interval: 200 })
      .toBe(total);
    await expect.poll(() => page.locator("[data-task-status]").getAttribute("data-task-status")).toBe("succeeded");

    // The task as the API has it, to compare what the page shows and downloads.
    const task = (await (
      await fetch(`${gateway}/api/orchestrator/tasks/${taskId}`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as Task;
    expect(task.subtasks).toHaveLength(total);
    const withFiles = task.subtasks.find(
      (subtask) => subtask.agent_type === "feature-dev" && (subtask.result?.artifacts.length ?? 0) > 0,
    );
    const subtask = withFiles ?? task.subtasks.find((candidate) => (candidate.result?.artifacts.length ?? 0) > 0);
    const artifact = subtask?.result?.artifacts[0];
    if (!subtask || !artifact) throw new Error("the task produced no artifact");

    await page.locator(`.graph .node[data-subtask-id="${subtask.id}"]`).click();
    await page.locator(`.artifacts button[data-path="${artifact.path}"]`).click();
    const code = page.locator(`.artifact[data-path="${artifact.path}"] code.hljs`);
    await expect.poll(() => code.textContent()).toBe(artifact.content);
    // Highlighted: highlight.js wrapped tokens in its spans (served from the gateway, under the CSP).
    await expect.poll(() => code.locator('span[class^="hljs-"]').count(), { timeout: 5_000 }).toBeGreaterThan(0);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(`.artifact[data-path="${artifact.path}"] button.download`).click(),
    ]);
    expect(download.suggestedFilename()).toBe(artifact.path.split("/").pop());
    expect(await readFile(await download.path(), "utf8")).toBe(artifact.content);

    // Every service is up, ready and says its version; the agents report load on the simulator.
    await expect
      .poll(() => page.locator(".health tr[data-service]").count(), { timeout: 15_000 })
      .toBe(SERVICE_NAMES.length);
    await expect
      .poll(() => page.locator('.health tr[data-state="ready"]').count(), { timeout: 15_000 })
      .toBe(SERVICE_NAMES.length);
    const versions = await page.locator(".health tr[data-service] td:nth-child(3)").allTextContents();
    expect(versions.every((version) => /^\d+\.\d+\.\d+/.test(version))).toBe(true);
    // The simulator served the task's tokens; the panel shows them once refreshed.
    await page.locator(".health button.refresh").click();
    const backendTokens = page.locator(".load tr[data-backend] td:nth-child(4)");
    await expect
      .poll(async () => Number(await backendTokens.first().textContent()), { timeout: 10_000 })
      .toBeGreaterThan(0);

    // Back to the list: the new task is there, succeeded.
    await page.locator("a.brand").click();
    const row = page.locator(`.tasks tr[data-task-id="${taskId}"]`);
    await expect.poll(() => row.locator(".pill").textContent(), { timeout: 10_000 }).toBe("succeeded");

    await page.locator(`.tasks tr[data-task-id="${taskId}"] a`).click();
    await expect.poll(() => page.locator('.graph .node[data-status="succeeded"]').count()).toBe(total);
    await page.locator(`.graph .node[data-subtask-id="${subtask.id}"]`).click();
    await page.locator(`.artifacts button[data-path="${artifact.path}"]`).click();
    await expect.poll(() => code.locator('span[class^="hljs-"]').count()).toBeGreaterThan(0);
    await mkdir(join(tmpdir(), "devtools-ui-test"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`web view screenshot: ${SCREENSHOT}`);

    expect(pageErrors).toEqual([]);
    await context.close();
  }, 85_000);
});
