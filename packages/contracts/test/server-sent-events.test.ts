import { describe, expect, it } from "vitest";
import { readServerSentEvents } from "../src/server-sent-events.ts";

async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

describe("reading an event stream", () => {
  it("yields events split across chunks, skipping comments, joining multi-line data", async () => {
    const events = [];
    for await (const event of readServerSentEvents(
      chunks(
        ": keep-alive\n\nid: 1\nevent: task.running\nda",
        'ta: {"a":1}\n\nid: 2\r\ndata: x\r\ndata: y\r\n\r\n',
        "data: tail",
      ),
    )) {
      events.push(event);
    }
    expect(events).toEqual([
      { id: "1", event: "task.running", data: '{"a":1}' },
      { id: "2", event: "message", data: "x\ny" },
    ]);
  });
});
