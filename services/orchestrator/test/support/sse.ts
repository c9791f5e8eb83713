import { TaskEvent } from "@devtools/contracts/task-events";

/** One server-sent event as the wire carries it. */
export interface ServerSentEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Parses complete blocks of an event stream; comments (keep-alives) are dropped. */
export function parseEvents(text: string): ServerSentEvent[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.split("\n").some((line) => line !== "" && !line.startsWith(":")))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).replace(/^ /, ""));
      return { id: field("id")[0], event: field("event")[0] ?? "message", data: field("data").join("\n") };
    });
}

/**
 * Reads task events from an event-stream response until it ends, or until `enough` says so (then
 * the connection is dropped, as a client that goes away would).
 */
export async function readTaskEvents(
  response: Response,
  enough: (events: TaskEvent[]) => boolean = () => false,
): Promise<{ events: TaskEvent[]; ended: boolean }> {
  if (!response.body) throw new Error("no body");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: TaskEvent[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { events, ended: true };
    buffer += value;
    const cut = buffer.lastIndexOf("\n\n");
    if (cut === -1) continue;
    for (const event of parseEvents(buffer.slice(0, cut + 2))) {
      const parsed = TaskEvent.parse(JSON.parse(event.data));
      if (String(parsed.id) !== event.id || parsed.type !== event.event)
        throw new Error("id/event lines disagree with data");
      events.push(parsed);
    }
    buffer = buffer.slice(cut + 2);
    if (enough(events)) {
      await reader.cancel();
      return { events, ended: false };
    }
  }
}
