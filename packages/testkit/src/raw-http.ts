import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the HTTP/1.1 responses in `bytes` (Content-Length or chunked bodies); stops at an incomplete one. */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf("\r\n\r\n", at);
    if (headEnd === -1) return responses;
    const [statusLine = "", ...lines] = bytes.subarray(at, headEnd).toString("latin1").split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let cursor = headEnd + 4;
    let body: Buffer = Buffer.alloc(0);
    if (headers["transfer-encoding"]?.includes("chunked")) {
      for (;;) {
        const sizeEnd = bytes.indexOf("\r\n", cursor);
        if (sizeEnd === -1) return responses;
        const size = Number.parseInt(bytes.subarray(cursor, sizeEnd).toString("latin1"), 16);
        if (sizeEnd + 2 + size + 2 > bytes.length) return responses;
        body = Buffer.concat([body, bytes.subarray(sizeEnd + 2, sizeEnd + 2 + size)]);
        cursor = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers["content-length"] ?? 0);
      if (cursor + length > bytes.length) return responses;
      body = bytes.subarray(cursor, cursor + length);
      cursor += length;
    }
    responses.push({ status: Number(statusLine.split(" ")[1]), headers, body: body.toString("utf8") });
    at = cursor;
  }
}

export interface RawExchange {
  responses: RawResponse[];
  /** Whether the server closed the connection (rather than the exchange timing out). */
  closedByServer: boolean;
}

/**
 * Writes `parts` to a fresh TCP connection exactly as given (no client normalises them), one after
 * another, and collects what comes back until the server closes the connection or `timeoutMs` passes.
 */
export function rawExchange(
  url: string,
  parts: readonly (string | Buffer)[],
  { timeoutMs = 5_000 }: { timeoutMs?: number } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(chunks)), closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("connect", async () => {
      for (const part of parts) {
        // The server may refuse before the rest is sent; what it answered is what counts.
        if (socket.destroyed || !socket.writable) break;
        await new Promise<void>((done) => socket.write(part, () => done()));
      }
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => finish(true));
    socket.on("error", () => finish(true));
  });
}
