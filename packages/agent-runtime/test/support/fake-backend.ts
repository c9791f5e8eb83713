import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A chat request the fake backend received. */
export interface ReceivedChat {
  messages: { role: string; content: string }[];
  stream: boolean;
  responseFormat: unknown;
}

/** What the fake answers to the n-th chat request: text as the assistant's answer, or an HTTP error. */
export type ScriptedAnswer = string | { status: number; headers?: Record<string, string> };

export interface ScriptedBackend {
  /** Base URL ending in /v1, as INFERENCE_BASE_URL would be. */
  url: string;
  chats: ReceivedChat[];
  close(): Promise<void>;
}

const USAGE = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 };

function chunk(delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "scripted-model",
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function answer(response: ServerResponse, text: string, stream: boolean): void {
  if (!stream) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "scripted-model",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: USAGE,
      }),
    );
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream" });
  const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
  for (let start = 0; start < text.length; start += 16) send(chunk({ content: text.slice(start, start + 16) }, null));
  send(chunk({}, "stop"));
  send({ id: "c", object: "chat.completion.chunk", created: 1, model: "scripted-model", choices: [], usage: USAGE });
  response.end("data: [DONE]\n\n");
}

/**
 * An OpenAI-compatible backend that answers chat completions from a script, in order (the last
 * answer repeats), streamed when asked: what a misbehaving model looks like, on demand.
 */
export async function startScriptedBackend(script: readonly ScriptedAnswer[]): Promise<ScriptedBackend> {
  const chats: ReceivedChat[] = [];
  const server = createServer(async (request, response) => {
    let text = "";
    for await (const part of request) text += String(part);
    if (request.url?.endsWith("/models")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "list", data: [{ id: "scripted-model", object: "model" }] }));
      return;
    }
    const body = JSON.parse(text) as {
      messages: ReceivedChat["messages"];
      stream?: boolean;
      response_format?: unknown;
    };
    const index =
      chats.push({ messages: body.messages, stream: body.stream === true, responseFormat: body.response_format }) - 1;
    const next = script[Math.min(index, script.length - 1)] ?? "";
    if (typeof next === "string") return answer(response, next, body.stream === true);
    response.writeHead(next.status, { "content-type": "application/json", ...next.headers });
    response.end(JSON.stringify({ error: { message: `scripted ${next.status}`, type: "error", code: next.status } }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    chats,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
