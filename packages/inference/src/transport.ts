import OpenAI from "openai";
import { Agent, fetch as undiciFetch } from "undici";

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
    // undici's own fetch, so that the dispatcher below is the same undici version that built it.
    fetch: undiciFetch as unknown as NonNullable<ConstructorParameters<typeof OpenAI>[0]>["fetch"],
    fetchOptions: { dispatcher: pool },
    // The client logs each failure itself, as JSON through the service's logger; the SDK would write to the console.
    logLevel: "off",
  });
}
