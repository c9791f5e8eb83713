import OpenAI from "openai";
import { Agent, request } from "undici";

/**
 * The keep-alive connection pool every backend's SDK client sends through. Its own header and body
 * timers are off: each attempt carries our deadline signal, which also knows a stream's silence
 * from a long generation; undici's defaults (300 s) would cut long generations that the configured
 * timeout allows.
 */
export function createConnectionPool(maxConnectionsPerBackend: number): Agent {
  return new Agent({
    connections: maxConnectionsPerBackend,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/**
 * An OpenAI SDK client for one backend, sending through `pool`. The SDK does not retry
 * (`maxRetries: 0`): the inference client does, so that a retry can move to another backend.
 */
export function sdkClient(baseURL: string, apiKey: string | undefined, pool: Agent): OpenAI {
  return new OpenAI({
    baseURL,
    // The SDK insists on a key; servers started without one (vLLM, Ollama, LM Studio) ignore it. "EMPTY" is vLLM's own convention.
    apiKey: apiKey || "EMPTY",
    // Explicit nulls, so the SDK does not pick up OPENAI_* variables behind the configuration's back.
    adminAPIKey: null,
    organization: null,
    project: null,
    maxRetries: 0,
    fetch: fetchThrough(pool),
    // The client logs each failure itself, as JSON through the service's logger; the SDK would write to the console.
    logLevel: "off",
  });
}

type SdkFetch = NonNullable<ConstructorParameters<typeof OpenAI>[0]>["fetch"];

/**
 * The `fetch` the SDK calls, built on `undici.request` through `pool`. WHATWG fetch wraps every call
 * in Request/Response objects and streams it does not need here; this sends the SDK's request as it
 * is and gives back a standard Response, buffered for JSON answers and streamed for server-sent
 * events. It halves the transport's share of a call's overhead (bench/inference.mjs).
 */
export function fetchThrough(pool: Agent): SdkFetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === "string" || input instanceof URL ? input : input.url;
    const { statusCode, headers, body } = await request(url, {
      dispatcher: pool,
      method: (init.method ?? "GET") as "GET",
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: init.body as string | undefined,
      signal: init.signal ?? undefined,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else if (value !== undefined) responseHeaders.set(name, value);
    }
    const streamed = responseHeaders.get("content-type")?.startsWith("text/event-stream");
    // A 204/304 may not carry a body at all.
    const content =
      statusCode === 204 || statusCode === 304
        ? null
        : streamed
          ? (ReadableStream.from(body) as ReadableStream<Uint8Array>)
          : await body.arrayBuffer();
    return new Response(content, { status: statusCode, headers: responseHeaders });
  }) as SdkFetch;
}
