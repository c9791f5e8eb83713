import type { OrchestrateRequest } from "@devtools/contracts/orchestrate";
import { readServerSentEvents } from "@devtools/contracts/server-sent-events";
import type { ListTasksQuery, Task, TaskPage } from "@devtools/contracts/task";
import type { TaskEvent } from "@devtools/contracts/task-events";
import { Pool } from "undici";

/** An answer from the orchestrator: its status and parsed JSON body (problem+json on errors). */
export interface UpstreamAnswer<Body> {
  status: number;
  body: Body;
  /** The body as received, for a caller that passes it on and need not serialize it again. */
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface OrchestratorClientOptions {
  /** Sent as `authorization: Bearer …` when internal services check it. */
  internalToken?: string | undefined;
  connections?: number;
}

/** `GET /tasks/{id}/events` opened: the events as they come, or the orchestrator's refusal. */
export type TaskEventStream =
  | { kind: "open"; events: AsyncIterable<TaskEvent> }
  | { kind: "refused"; answer: UpstreamAnswer<unknown> };

/**
 * The gateway's calls to the orchestrator over one keep-alive undici pool. Errors from the
 * orchestrator come back as answers (the caller decides what a 404 means); only a broken connection
 * throws.
 */
export class OrchestratorClient {
  readonly #pool: Pool;
  /** Event streams stay open for minutes: they get their own connections so that they never queue short calls. */
  readonly #streams: Pool;
  readonly #base: string;
  readonly #headers: Record<string, string>;

  constructor(url: string, options: OrchestratorClientOptions = {}) {
    const base = new URL(url);
    this.#pool = new Pool(base.origin, { connections: options.connections ?? 16, keepAliveTimeout: 30_000 });
    // The orchestrator sends a comment every 15 s on a quiet stream, so a long body timeout is safe.
    this.#streams = new Pool(base.origin, { keepAliveTimeout: 30_000, bodyTimeout: 60_000 });
    this.#base = base.pathname.replace(/\/$/, "");
    this.#headers = {
      accept: "application/json",
      ...(options.internalToken ? { authorization: `Bearer ${options.internalToken}` } : {}),
    };
  }

  /** `POST /orchestrate`; `waitSeconds` sends `Prefer: wait=…` so a quick task answers finished. */
  orchestrate(
    request: OrchestrateRequest,
    options: { waitSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<UpstreamAnswer<Task>> {
    const headers: Record<string, string> = options.waitSeconds
      ? { prefer: `wait=${Math.ceil(options.waitSeconds)}` }
      : {};
    return this.#send("POST", "/orchestrate", { body: request, headers, signal: options.signal });
  }

  getTask(id: string, signal?: AbortSignal): Promise<UpstreamAnswer<Task>> {
    return this.#send("GET", `/tasks/${encodeURIComponent(id)}`, { signal });
  }

  listTasks(query: Partial<ListTasksQuery> = {}, signal?: AbortSignal): Promise<UpstreamAnswer<TaskPage>> {
    const search = new URLSearchParams(
      Object.entries(query)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]): [string, string] => [key, String(value)]),
    ).toString();
    return this.#send("GET", `/tasks${search ? `?${search}` : ""}`, { signal });
  }

  cancelTask(id: string, signal?: AbortSignal): Promise<UpstreamAnswer<Task>> {
    return this.#send("POST", `/tasks/${encodeURIComponent(id)}/cancel`, { signal });
  }

  /** `GET /tasks/{id}/events?after=…`: the task's events after `after`, live until it ends or `signal` aborts. */
  async taskEvents(id: string, after: number, signal?: AbortSignal): Promise<TaskEventStream> {
    const response = await this.#streams.request({
      method: "GET",
      path: `${this.#base}/tasks/${encodeURIComponent(id)}/events?after=${after}`,
      headers: { ...this.#headers, accept: "text/event-stream" },
      ...(signal ? { signal } : {}),
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      const answer = {
        status: response.statusCode,
        headers: response.headers,
        text,
        body: text ? JSON.parse(text) : null,
      };
      return { kind: "refused", answer };
    }
    const events = readServerSentEvents(response.body);
    return {
      kind: "open",
      events: (async function* () {
        for await (const event of events) yield JSON.parse(event.data) as TaskEvent;
      })(),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#streams.destroy()]);
  }

  async #send<Body>(
    method: "GET" | "POST",
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal | undefined },
  ): Promise<UpstreamAnswer<Body>> {
    const response = await this.#pool.request({
      method,
      path: `${this.#base}${path}`,
      headers: {
        ...this.#headers,
        ...options.headers,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      text,
      body: (text ? JSON.parse(text) : null) as Body,
    };
  }
}
