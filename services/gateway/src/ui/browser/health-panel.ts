/// <reference lib="dom" />
import type { HealthResponse, ReadyResponse } from "@devtools/contracts/health";
import { type ApiClient, ApiError, UnauthorizedError } from "./api-client.ts";
import { html } from "./dom.ts";
import { parseSamples } from "./prometheus-text.ts";

const REFRESH_MS = 10_000;
const AGENTS = new Set(["feature-dev", "code-review", "infrastructure", "cicd", "documentation"]);
const LOAD_METRICS = new Set(["inference_in_flight", "inference_queue_depth", "inference_tokens_total"]);

interface ServiceState {
  name: string;
  health: HealthResponse | undefined;
  ready: ReadyResponse | undefined;
  failure: unknown;
}

interface BackendLoad {
  inFlight: number;
  queued: number;
  tokens: number;
}

/** The gateway answers its own /health and /ready; the others are reached through the `/api` proxy. */
const base = (service: string) => (service === "gateway" ? "" : `/api/${service}`);

async function probe(api: ApiClient, name: string): Promise<ServiceState> {
  const [health, ready] = await Promise.allSettled([
    api.json<HealthResponse>(`${base(name)}/health`),
    // A 503 from /ready still carries which check failed.
    api.fetch(`${base(name)}/ready`).then(
      (response) => response.json() as Promise<ReadyResponse>,
      async (error: unknown) => {
        if (error instanceof ApiError && error.status === 503 && error.body) return error.body as ReadyResponse;
        throw error;
      },
    ),
  ]);
  const failure = [health, ready].find((result) => result.status === "rejected");
  return {
    name,
    health: health.status === "fulfilled" ? health.value : undefined,
    ready: ready.status === "fulfilled" ? ready.value : undefined,
    failure: failure?.status === "rejected" ? failure.reason : undefined,
  };
}

/** In-flight and queued inference requests and tokens per backend, summed over the agents' clients. */
async function inferenceLoad(api: ApiClient, agents: string[]): Promise<Map<string, BackendLoad>> {
  const bodies = await Promise.allSettled(agents.map((agent) => api.text(`/api/${agent}/metrics`)));
  const load = new Map<string, BackendLoad>();
  for (const body of bodies) {
    if (body.status === "rejected") continue;
    for (const sample of parseSamples(body.value, LOAD_METRICS)) {
      const backend = sample.labels.backend ?? "unknown";
      const entry = load.get(backend) ?? { inFlight: 0, queued: 0, tokens: 0 };
      if (sample.name === "inference_in_flight") entry.inFlight += sample.value;
      else if (sample.name === "inference_queue_depth") entry.queued += sample.value;
      else entry.tokens += sample.value;
      load.set(backend, entry);
    }
  }
  return load;
}

function serviceRow({ name, health, ready, failure }: ServiceState): HTMLTableRowElement {
  const state = ready?.status === "ready" ? "ready" : ready ? "not_ready" : health ? "ok" : "down";
  const failing = Object.entries(ready?.checks ?? {})
    .filter(([, check]) => check.status !== "ok")
    .map(([check, result]) => `${check}: ${result.error ?? "failed"}`);
  return html(
    "tr",
    { "data-service": name, "data-state": state },
    html("td", {}, name),
    html("td", {}, html("span", { class: `pill ${state}` }, state.replace("_", " "))),
    html("td", {}, health?.version ?? ""),
    html(
      "td",
      { class: "checks" },
      failing.join("; ") || (state === "down" ? String((failure as Error | undefined)?.message ?? "") : ""),
    ),
  );
}

function loadRows(load: Map<string, BackendLoad>): HTMLTableRowElement[] {
  if (load.size === 0)
    return [html("tr", {}, html("td", { colspan: 4, class: "muted" }, "No agent reported inference metrics."))];
  return [...load].map(([backend, { inFlight, queued, tokens }]) =>
    html(
      "tr",
      { "data-backend": backend },
      html("td", {}, backend),
      html("td", { class: "num" }, inFlight),
      html("td", { class: "num" }, queued),
      html("td", { class: "num" }, tokens),
    ),
  );
}

/**
 * Each service's health, readiness and version, and the inference load the agents report, refreshed
 * every few seconds while the tab is visible. A 401 goes to `onError`, which asks for a key.
 */
export function showHealthPanel(
  root: HTMLElement,
  api: ApiClient,
  services: string[],
  onError: (error: unknown) => void,
) {
  const healthBody = html("tbody");
  const loadBody = html("tbody");
  const updated = html("span", { class: "muted" });
  const refreshButton = html("button", { type: "button", class: "refresh" }, "Refresh");
  root.replaceChildren(
    html(
      "section",
      { class: "panel health" },
      html("h2", {}, "Services"),
      html(
        "table",
        {},
        html(
          "thead",
          {},
          html("tr", {}, html("th", {}, "service"), html("th", {}, "state"), html("th", {}, "version"), html("th", {})),
        ),
        healthBody,
      ),
      html("p", { class: "updated" }, updated, refreshButton),
    ),
    html(
      "section",
      { class: "panel load" },
      html("h2", {}, "Inference load"),
      html(
        "table",
        {},
        html(
          "thead",
          {},
          html(
            "tr",
            {},
            html("th", {}, "backend"),
            html("th", { class: "num" }, "in flight"),
            html("th", { class: "num" }, "queued"),
            html("th", { class: "num" }, "tokens"),
          ),
        ),
        loadBody,
      ),
    ),
  );
  const agents = services.filter((service) => AGENTS.has(service));
  const refresh = async () => {
    const states = await Promise.all(services.map((name) => probe(api, name)));
    const refusal = states.find((state) => state.failure instanceof UnauthorizedError)?.failure;
    if (refusal) return onError(refusal);
    healthBody.replaceChildren(...states.map(serviceRow));
    loadBody.replaceChildren(...loadRows(await inferenceLoad(api, agents)));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  };
  const run = () => refresh().catch(onError);
  refreshButton.addEventListener("click", () => void run());
  void run();
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void run();
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
