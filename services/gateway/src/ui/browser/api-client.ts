/// <reference lib="dom" />

const KEY_STORAGE = "devtools.apiKey";

/** A refused or failed call: its message is the problem+json `detail`; `body` is the parsed JSON answer, if any. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, message: string, body?: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The API refused the key (or the lack of one): the page asks for a key and tries again. */
export class UnauthorizedError extends ApiError {}

async function errorFrom(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  let body: unknown;
  try {
    body = await response.json();
    const problem = body as { detail?: string; title?: string };
    detail = problem.detail ?? problem.title ?? detail;
  } catch {
    // Not JSON (a proxy's HTML error page): the status line says enough.
  }
  return response.status === 401
    ? new UnauthorizedError(401, detail, body)
    : new ApiError(response.status, detail, body);
}

/**
 * Calls the gateway's authenticated `/api` from the page, with the user's key. The key lives in
 * sessionStorage: it survives a reload but not the tab, and no other site can read it.
 */
export class ApiClient {
  get key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  set key(value: string | null) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  /** `fetch` against the gateway with the key; a non-2xx answer throws ApiError (UnauthorizedError for 401). */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const key = this.key;
    if (key) headers.set("Authorization", `Bearer ${key}`);
    const response = await fetch(path, { ...init, headers });
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.fetch(path, init)).json()) as T;
  }

  async text(path: string): Promise<string> {
    return (await this.fetch(path)).text();
  }

  /** POSTs a JSON body and reads the JSON answer. */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }
}
