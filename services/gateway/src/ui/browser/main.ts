/// <reference lib="dom" />
import { ApiClient, UnauthorizedError } from "./api-client.ts";
import { createTaskForm } from "./create-task-form.ts";
import { html } from "./dom.ts";
import { showHealthPanel } from "./health-panel.ts";
import { keyForm } from "./key-form.ts";
import { showTaskList } from "./task-list.ts";
import { showTask } from "./task-view.ts";

interface UiSettings {
  auth: boolean;
  services: string[];
}

const TASK_ROUTE = /^#\/tasks\/([0-9a-f-]{36})$/i;

const view = document.getElementById("view") as HTMLElement;
const side = document.getElementById("side") as HTMLElement;
const keyStatus = document.getElementById("key-status") as HTMLElement;
const api = new ApiClient();
const settings = (await (await fetch("/ui/settings.json")).json()) as UiSettings;

// What the current view runs (streams, timers) stops when the user goes elsewhere.
let current = new AbortController();
let stopHealth: (() => void) | undefined;
let askingForKey = false;

function renderKeyStatus(): void {
  if (!settings.auth) {
    keyStatus.replaceChildren("API keys are off (GATEWAY_AUTH=off)");
    return;
  }
  if (!api.key) {
    keyStatus.replaceChildren();
    return;
  }
  const forget = html("button", { type: "button" }, "Forget key");
  forget.addEventListener("click", () => {
    api.key = null;
    askForKey("Enter an API key.");
  });
  keyStatus.replaceChildren(`key ${api.key.slice(0, 10)}…`, forget);
}

/** Replaces the page with the key form; once a key is given, the page starts again with it. */
function askForKey(reason: string): void {
  if (askingForKey) return;
  askingForKey = true;
  current.abort();
  stopHealth?.();
  side.replaceChildren();
  renderKeyStatus();
  view.replaceChildren(
    keyForm(reason, (key) => {
      api.key = key;
      askingForKey = false;
      start();
    }),
  );
}

/** A refused key asks for another; anything else is shown where the view was. */
function failed(error: unknown): void {
  if (error instanceof UnauthorizedError) {
    askForKey(error.message);
    return;
  }
  view.prepend(html("p", { class: "error panel", role: "alert" }, (error as Error).message ?? String(error)));
}

function route(): void {
  current.abort();
  current = new AbortController();
  const signal = current.signal;
  const match = TASK_ROUTE.exec(location.hash);
  view.replaceChildren();
  if (match?.[1]) {
    showTask(view, api, match[1], signal).catch((error: unknown) => {
      if (!signal.aborted) failed(error);
    });
    return;
  }
  view.append(createTaskForm(api, failed));
  showTaskList(view, api, signal, failed);
}

function start(): void {
  renderKeyStatus();
  if (settings.auth && !api.key) {
    askForKey("Enter an API key to see tasks and services.");
    return;
  }
  stopHealth?.();
  stopHealth = showHealthPanel(side, api, settings.services, failed);
  route();
}

window.addEventListener("hashchange", () => {
  if (!askingForKey) route();
});
start();
