import { Problem } from "@devtools/contracts/problem";
import type { Exchange } from "./http-exchange.ts";

/**
 * How an endpoint words its 4xx answers: the platform's problem+json; vLLM's `{"error": {message,
 * code}}` (the inference simulator must answer as vLLM does); or, on the MCP endpoint, problem+json
 * from the gateway's own checks or a JSON-RPC error from the protocol layer, as MCP clients expect.
 */
export type ErrorFormat = "problem" | "vllm" | "jsonrpc";

const mediaTypeOf = (exchange: Exchange) =>
  (exchange.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

function parsed(exchange: Exchange): unknown {
  try {
    return JSON.parse(exchange.body);
  } catch {
    return undefined;
  }
}

function problemFailure(exchange: Exchange): string | undefined {
  if (mediaTypeOf(exchange) !== "application/problem+json") return "a 4xx must be application/problem+json";
  const problem = Problem.safeParse(parsed(exchange));
  if (!problem.success) return `not a problem document: ${problem.error.message}`;
  if (problem.data.status !== exchange.status)
    return `problem.status ${problem.data.status} differs from the HTTP status`;
  if (!problem.data.detail?.trim() && !problem.data.errors?.length) return "the problem does not name what is wrong";
  return undefined;
}

function vllmFailure(exchange: Exchange): string | undefined {
  const error = (parsed(exchange) as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  if (mediaTypeOf(exchange) !== "application/json") return "a 4xx must be application/json";
  if (typeof error?.message !== "string" || error.message === "") return "no error.message naming the problem";
  if (error.code !== exchange.status) return `error.code ${String(error.code)} differs from the HTTP status`;
  return undefined;
}

function jsonRpcFailure(exchange: Exchange): string | undefined {
  if (mediaTypeOf(exchange) === "application/problem+json") return problemFailure(exchange);
  const error = (parsed(exchange) as { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown } } | undefined)
    ?.error;
  if (typeof error?.code !== "number" || typeof error.message !== "string" || error.message === "") {
    return "a 4xx must be problem+json or a JSON-RPC error with a code and a message";
  }
  return undefined;
}

const FORMAT_FAILURE: Record<ErrorFormat, (exchange: Exchange) => string | undefined> = {
  problem: problemFailure,
  vllm: vllmFailure,
  jsonrpc: jsonRpcFailure,
};

/**
 * What is wrong with an answer, or undefined: it must arrive whole, be a 2xx or a 4xx (never a 5xx,
 * a 1xx/3xx, a reset or a timeout), be the expected status when the request says so, carry a 4xx
 * in the endpoint's error format, and, when a 2xx says it is JSON, be JSON.
 */
export function answerFailure(exchange: Exchange, format: ErrorFormat): string | undefined {
  if (exchange.error) return exchange.error;
  const { status } = exchange;
  const expected = exchange.request.expectStatus;
  if (expected !== undefined && status !== expected) return `expected ${expected}, got ${status}`;
  if (status >= 200 && status < 300) {
    const type = mediaTypeOf(exchange);
    if (type.endsWith("json") && parsed(exchange) === undefined) return "a 2xx JSON answer that is not JSON";
    return undefined;
  }
  if (status >= 400 && status < 500) return FORMAT_FAILURE[format](exchange);
  return `status ${status} is neither a 2xx nor a 4xx`;
}

/** A one-paragraph account of a failed exchange, enough to replay it by hand. */
export function describeExchange(exchange: Exchange, failure: string): string {
  const { request } = exchange;
  const body =
    request.body === undefined
      ? "(no body)"
      : typeof request.body === "string"
        ? request.body
        : `(${request.body.byteLength} bytes) ${Buffer.from(request.body).toString("utf8")}`;
  // Head and tail: what is odd about a long body is often at its end.
  const clip = (text: string) =>
    text.length > 800 ? `${text.slice(0, 400)}…(${text.length} chars in all)…${text.slice(-400)}` : text;
  return [
    `${failure}`,
    `request (${request.kind}): POST ${request.target}${request.chunks ? ` chunked in ${request.chunks}` : ""}`,
    `headers: ${JSON.stringify(request.headers).slice(0, 600)}`,
    `body: ${clip(body)}`,
    `answer: ${exchange.status} ${exchange.headers["content-type"] ?? ""} ${clip(exchange.body)}`,
  ].join("\n");
}
