import { OrchestrateResponse } from "@devtools/contracts/orchestrate";
import { type Priority, Task, TaskPage, type TaskStatus } from "@devtools/contracts/task";
import type { CliEnvironment } from "../config.ts";
import { type Answer, HttpClient } from "./http-client.ts";

export interface OrchestrateInput {
  description: string;
  priority: Priority;
  planner?: "auto" | "llm" | "rules";
  max_tokens?: number;
}

export interface ListTasksInput {
  status?: TaskStatus | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Where the task commands talk: flags first, then the environment. */
export interface ApiTarget {
  /** `--url`: the gateway. */
  url?: string | undefined;
  /** `--orchestrator-url`: the orchestrator, directly. */
  orchestratorUrl?: string | undefined;
}

// Event streams stay open for as long as the task runs; the orchestrator writes a keep-alive comment every 15 s.
const EVENT_STREAM_SILENCE_MS = 45_000;

/**
 * The orchestrator's task API, reached through the gateway's `/api/orchestrator` proxy (with the
 * API key) or directly (with the internal token). Answers are checked against the contracts.
 */
export class TaskApi {
  readonly http: HttpClient;
  readonly #prefix: string;

  constructor(http: HttpClient, prefix: string) {
    this.http = http;
    this.#prefix = prefix;
  }

  static for(env: CliEnvironment, target: ApiTarget): TaskApi {
    const direct = target.orchestratorUrl ?? (target.url ? undefined : env.orchestratorUrl);
    if (direct) {
      const http = new HttpClient({
        baseUrl: direct.replace(/\/+$/, ""),
        name: "the orchestrator",
        howToChange: "set ORCHESTRATOR_URL (or --orchestrator-url) to where it runs",
        authorization: env.internalToken ? `Bearer ${env.internalToken}` : undefined,
      });
      return new TaskApi(http, "");
    }
    const http = new HttpClient({
      baseUrl: (target.url ?? env.gatewayUrl).replace(/\/+$/, ""),
      name: "the devtools gateway",
      howToChange: "set DEVTOOLS_URL (or --url) to where it runs",
      authorization: env.apiKey ? `Bearer ${env.apiKey}` : undefined,
    });
    return new TaskApi(http, "/api/orchestrator");
  }

  async orchestrate(input: OrchestrateInput, signal?: AbortSignal): Promise<Task> {
    // Planning with a model can take a while; the plan comes back once it is stored.
    const { value } = await this.http.json(OrchestrateResponse, "POST", `${this.#prefix}/orchestrate`, {
      body: input,
      signal,
      headersTimeoutMs: 120_000,
    });
    return value;
  }

  /** The task, and its JSON exactly as the API sent it (for `--json`). */
  async task(id: string, signal?: AbortSignal): Promise<{ task: Task; raw: unknown }> {
    const { value, raw } = await this.http.json(Task, "GET", `${this.#prefix}/tasks/${encodeURIComponent(id)}`, {
      signal,
    });
    return { task: value, raw };
  }

  async list(input: ListTasksInput, signal?: AbortSignal): Promise<{ page: TaskPage; raw: unknown }> {
    const query = new URLSearchParams();
    if (input.status) query.set("status", input.status);
    if (input.limit !== undefined) query.set("limit", String(input.limit));
    if (input.cursor) query.set("cursor", input.cursor);
    const search = query.size > 0 ? `?${query}` : "";
    const { value, raw } = await this.http.json(TaskPage, "GET", `${this.#prefix}/tasks${search}`, { signal });
    return { page: value, raw };
  }

  async cancel(id: string, signal?: AbortSignal): Promise<Task> {
    const { value } = await this.http.json(Task, "POST", `${this.#prefix}/tasks/${encodeURIComponent(id)}/cancel`, {
      signal,
    });
    return value;
  }

  /** Opens the task's event stream after event `lastEventId` (0: from the start); rejects with ApiError unless it is one. */
  async openEvents(id: string, lastEventId: number, signal?: AbortSignal): Promise<Answer> {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (lastEventId > 0) headers["last-event-id"] = String(lastEventId);
    const answer = await this.http.send("GET", `${this.#prefix}/tasks/${encodeURIComponent(id)}/events`, {
      headers,
      signal,
      bodyTimeoutMs: EVENT_STREAM_SILENCE_MS,
    });
    if (answer.statusCode !== 200) throw this.http.errorAnswer(answer.statusCode, await this.http.readText(answer));
    return answer;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
