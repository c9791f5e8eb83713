import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the fake backend received, body parsed. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** Answers one request; `index` counts from 0 over every request to this server. */
export type FakeHandler = (request: ReceivedRequest, response: ServerResponse, index: number) => void | Promise<void>;

export interface FakeBackend {
  /** Base URL ending in /v1, as INFERENCE_BASE_URL would be. */
  url: string;
  received: ReceivedRequest[];
  /** Requests whose connection the client closed before the answer was complete. */
  aborted: number;
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A node:http server scripted per test, standing in for an OpenAI-compatible backend. `GET
 * /v1/models` answers a one-model list unless the handler deals with it.
 */
export async function startFakeBackend(handler: FakeHandler): Promise<FakeBackend> {
  const fake: FakeBackend = {
    url: "",
    received: [],
    aborted: 0,
    inFlight: 0,
    maxInFlight: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const request: ReceivedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    const index = fake.received.push(request) - 1;
    fake.inFlight += 1;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    res.on("close", () => {
      fake.inFlight -= 1;
      if (!res.writableFinished) fake.aborted += 1;
    });
    await handler(request, res, index);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

/** A non-streaming chat completion body. */
export function completion(text: string, usage = { prompt_tokens: 11, completion_tokens: 7 }) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1,
    model: "test-model",
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/** Answers chat completions with `text`, and /models with one model. */
export const answering =
  (text: string): FakeHandler =>
  (request, response) => {
    if (request.path.endsWith("/models"))
      return sendJson(response, 200, { object: "list", data: [{ id: "test-model" }] });
    sendJson(response, 200, completion(text));
  };

/** Starts an SSE stream and returns a writer of `data:` events. */
export function openEventStream(response: ServerResponse) {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  response.flushHeaders();
  return {
    delta: (text: string) =>
      response.write(
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "test-model", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`,
      ),
    finish: (usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }) => {
      response.write(
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "test-model", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
      );
      response.write(
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "test-model", choices: [], usage })}\n\n`,
      );
      response.end("data: [DONE]\n\n");
    },
  };
}
