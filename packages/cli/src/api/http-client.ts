import { Problem } from "@devtools/contracts/problem";
import { Agent, type Dispatcher, request } from "undici";
import type { z } from "zod";
import { ApiError, StackUnreachableError, UnexpectedAnswerError } from "./errors.ts";

/** Who a client talks to, in the words its error messages use. */
export interface Endpoint {
  /** Base URL, without a trailing slash; paths are appended to it. */
  baseUrl: string;
  /** "the devtools gateway", "the orchestrator"… */
  name: string;
  /** The URL the user can change, and how: "set DEVTOOLS_URL". */
  howToChange: string;
  /** Sent as `Authorization`, when set. */
  authorization: string | undefined;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** How long to wait for the answer's headers, in ms. */
  headersTimeoutMs?: number;
  /** How long the body may stay silent, in ms (0: forever). */
  bodyTimeoutMs?: number;
}

export type Answer = Dispatcher.ResponseData;

const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

// What a failed connection's code means to someone reading the message.
const CONNECTION_FAILURES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CLOSED: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: `no connection within ${CONNECT_TIMEOUT_MS / 1000} s`,
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  UND_ERR_BODY_TIMEOUT: "the answer stopped arriving",
};

/** Why a request could not be made, in a few words ("connection refused"), or undefined when `error` is not a connection failure. */
export function connectionFailureOf(error: unknown): string | undefined {
  const code = errorCode(error);
  return code === undefined ? undefined : CONNECTION_FAILURES[code];
}

function errorCode(error: unknown): string | undefined {
  let cause: unknown = error;
  while (typeof cause === "object" && cause !== null) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && code in CONNECTION_FAILURES) return code;
    // An AggregateError (IPv6 and IPv4 both refused) carries the reasons in `errors`.
    const nested = (cause as { errors?: unknown[] }).errors?.[0];
    cause = nested ?? (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The one-line message of an error answer: the problem's title and detail and failing fields, else the status and the start of the body. */
export function describeErrorAnswer(status: number, text: string): { message: string; problem: Problem | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const problem = Problem.safeParse(json);
  if (!problem.success) {
    const excerpt = text.trim().slice(0, 200);
    return { message: `HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`, problem: undefined };
  }
  const { title, detail, errors } = problem.data;
  const fields = (errors ?? []).map((error) => `${error.field || "(body)"}: ${error.message}`);
  const message = [`${title}${detail ? `: ${detail}` : ""}`, ...fields].join("\n  ");
  return { message: `${message} (HTTP ${status})`, problem: problem.data };
}

/**
 * HTTP to one devtools endpoint. Connection failures become StackUnreachableError naming the URL
 * and what to do; error answers become ApiError with the problem's detail; answers are checked
 * against the zod contracts.
 */
export class HttpClient {
  readonly endpoint: Endpoint;
  readonly #agent = new Agent({ connectTimeout: CONNECT_TIMEOUT_MS, keepAliveTimeout: 4_000 });

  constructor(endpoint: Endpoint) {
    this.endpoint = endpoint;
  }

  /** Sends a request; resolves with any status. Rejects with StackUnreachableError when nothing answers. */
  async send(method: Dispatcher.HttpMethod, path: string, options: RequestOptions = {}): Promise<Answer> {
    const { baseUrl, authorization } = this.endpoint;
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (authorization) headers.authorization = authorization;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    try {
      return await request(`${baseUrl}${path}`, {
        method,
        headers,
        body,
        signal: options.signal ?? null,
        dispatcher: this.#agent,
        headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
        bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      });
    } catch (error) {
      throw this.unreachable(error) ?? error;
    }
  }

  /** Sends a request and parses a 2xx answer with `schema`; an error answer rejects with ApiError. */
  async json<Schema extends z.ZodType>(
    schema: Schema,
    method: Dispatcher.HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ value: z.infer<Schema>; raw: unknown; status: number }> {
    const answer = await this.send(method, path, options);
    const text = await this.readText(answer);
    if (answer.statusCode < 200 || answer.statusCode > 299) throw this.errorAnswer(answer.statusCode, text);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new UnexpectedAnswerError(
        `${this.endpoint.name} at ${this.endpoint.baseUrl} answered ${method} ${path} with something other than JSON`,
        { cause: error },
      );
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
      throw new UnexpectedAnswerError(
        `${this.endpoint.name} at ${this.endpoint.baseUrl} answered ${method} ${path} outside its contract (${issues.join("; ")}): is it a devtools of another version?`,
      );
    }
    return { value: parsed.data, raw, status: answer.statusCode };
  }

  /** The ApiError for an error answer, its message naming the endpoint. */
  errorAnswer(status: number, text: string): ApiError {
    const { message, problem } = describeErrorAnswer(status, text);
    const auth =
      status === 401 && this.endpoint.authorization === undefined
        ? "\n  set DEVTOOLS_API_KEY to an API key of the gateway"
        : status === 401
          ? "\n  the key comes from DEVTOOLS_API_KEY (or INTERNAL_TOKEN when talking to the orchestrator directly)"
          : "";
    return new ApiError(`${this.endpoint.name} at ${this.endpoint.baseUrl}: ${message}${auth}`, status, problem);
  }

  /** Reads a body to text; a connection lost half-way is the stack going away. */
  async readText(answer: Answer): Promise<string> {
    try {
      return await answer.body.text();
    } catch (error) {
      throw this.unreachable(error) ?? error;
    }
  }

  /** The StackUnreachableError for a connection failure, or undefined when `error` is something else. */
  unreachable(error: unknown): StackUnreachableError | undefined {
    const failure = connectionFailureOf(error);
    if (!failure) return undefined;
    const { baseUrl, name, howToChange } = this.endpoint;
    return new StackUnreachableError(
      `cannot reach ${name} at ${baseUrl} (${failure}): is the stack running? Start it with \`npm start\`, or ${howToChange}.`,
      { cause: error },
    );
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
