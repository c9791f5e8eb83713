import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { SseParser } from "@devtools/contracts/server-sent-events";
import { describe, expect, it } from "vitest";
import { followTaskEvents } from "../src/api/follow-task-events.ts";
import { TaskApi } from "../src/api/task-api.ts";
import { readEnvironment } from "../src/config.ts";
import { TASK_ID } from "./support/task-fixture.ts";

describe("SseParser", () => {
  it("parses events split anywhere, with CRLF, CR or LF, comments, multi-line data and ids", () => {
    const parser = new SseParser();
    const stream =
      ': keep-alive\r\n\r\nid: 1\r\nevent: task.running\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid:2\rdata:x\r\rdata\n\n';
    const messages = [...stream].flatMap((char) => parser.push(char));
    expect(messages).toEqual([
      { id: "1", event: "task.running", data: '{"a":\n1}' },
      { id: "2", event: "message", data: "x" },
      // The id persists until a new one, as the standard says; a bare field has an empty value.
      { id: "2", event: "message", data: "" },
    ]);
  });

  it("decodes UTF-8 split across chunks", () => {
    const parser = new SseParser();
    const bytes = new TextEncoder().encode("data: ✔ done\n\n");
    expect([...parser.push(bytes.slice(0, 7)), ...parser.push(bytes.slice(7))]).toEqual([
      { id: undefined, event: "message", data: "✔ done" },
    ]);
  });
});

const eventOf = (id: number, type: string) =>
  `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, task_id: TASK_ID, subtask_id: null, type, data: {}, created_at: "2025-01-01T10:00:00.000Z" })}\n\n`;

describe("followTaskEvents", () => {
  it("reconnects with Last-Event-ID when the stream breaks, missing nothing and repeating nothing", async () => {
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      requests.push(request.headers);
      response.writeHead(200, { "content-type": "text/event-stream" });
      if (requests.length === 1) {
        // Two events, then the connection drops before the task ends.
        response.write(eventOf(1, "task.running") + eventOf(2, "task.retrying"));
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      response.end(eventOf(3, "task.running") + eventOf(4, "task.succeeded") + eventOf(5, "task.running"));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const api = TaskApi.for(readEnvironment({}), { orchestratorUrl: `http://127.0.0.1:${port}` });
    const reconnects: string[] = [];
    try {
      const seen: number[] = [];
      for await (const event of followTaskEvents(api, TASK_ID, {
        signal: new AbortController().signal,
        reconnectDelayMs: 10,
        onReconnect: (reason, after) => reconnects.push(`${after}: ${reason}`),
      })) {
        seen.push(event.id);
      }
      // It stops at the final event, even if the server would send more.
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(requests.map((headers) => headers["last-event-id"])).toEqual([undefined, "2"]);
      expect(requests[0]?.accept).toBe("text/event-stream");
      expect(reconnects).toHaveLength(1);
      expect(reconnects[0]).toMatch(/^2: /);
    } finally {
      await api.close();
      server.close();
    }
  });

  it("does not retry a stream the API refuses", async () => {
    let calls = 0;
    const server = createServer((_request, response) => {
      calls += 1;
      response.writeHead(404, { "content-type": "application/problem+json" });
      response.end(
        JSON.stringify({ type: "about:blank", title: "Not found", status: 404, detail: `no task with id ${TASK_ID}` }),
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const api = TaskApi.for(readEnvironment({}), { orchestratorUrl: `http://127.0.0.1:${port}` });
    try {
      const follow = followTaskEvents(api, TASK_ID, { signal: new AbortController().signal, reconnectDelayMs: 10 });
      await expect(follow.next()).rejects.toThrow(`Not found: no task with id ${TASK_ID} (HTTP 404)`);
      expect(calls).toBe(1);
    } finally {
      await api.close();
      server.close();
    }
  });
});
