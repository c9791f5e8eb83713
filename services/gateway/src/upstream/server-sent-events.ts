/** One event of a `text/event-stream` body; comment lines (keep-alives) are skipped. */
export interface ServerSentEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/**
 * Parses a `text/event-stream` body (the WHATWG format: `field: value` lines, events separated by a
 * blank line, multi-line `data` joined with "\n") as its chunks arrive.
 */
export async function* readServerSentEvents(body: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = blankLine(buffer); end; end = blankLine(buffer)) {
      const block = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end.length);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
}

function blankLine(buffer: string): { index: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(buffer);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let id: string | undefined;
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "id") id = value;
    else if (field === "event") event = value;
  }
  return data.length > 0 ? { id, event, data: data.join("\n") } : undefined;
}
