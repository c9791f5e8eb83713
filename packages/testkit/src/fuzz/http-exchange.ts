import { Agent, type IncomingHttpHeaders, request } from "node:http";

/** One request as the fuzzer sends it: raw enough for bodies and headers `fetch` would refuse. */
export interface FuzzRequest {
  /** What the request is, for failure reports: `generated`, `mutated`, `corpus: deep nesting`… */
  kind: string;
  /** Path and query, e.g. `/tasks/0b1e…/cancel?x=1`. */
  target: string;
  /** A header given as a list is sent once per value (duplicated headers). */
  headers: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Sends the body in this many pieces with `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunks?: number;
  /** The status this request must get (an over-limit body: 413); any 2xx/4xx otherwise. */
  expectStatus?: number;
}

/** What came back: the status and the whole body, or the transport error (reset, timeout). */
export interface Exchange {
  request: FuzzRequest;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  error?: string;
}

// A small keep-alive pool: concurrent enough to be quick, not a load test.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Sends `fuzzRequest` as a POST to `baseUrl` and reads the whole answer (an event stream until it
 * ends). A transport failure or no complete answer within `timeoutMs` comes back as `error`.
 */
export function send(baseUrl: string, fuzzRequest: FuzzRequest, timeoutMs = 20_000): Promise<Exchange> {
  const { body, chunks, headers } = fuzzRequest;
  const bytes = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const lengthHeader =
    bytes === undefined || chunks !== undefined ? {} : { "content-length": String(bytes.byteLength) };
  return new Promise((resolve) => {
    let answered = false;
    const finish = (exchange: Omit<Exchange, "request">) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve({ request: fuzzRequest, ...exchange });
    };
    const failed = (error: string) => finish({ status: 0, headers: {}, body: "", error });
    const outgoing = request(
      new URL(fuzzRequest.target, baseUrl),
      { method: "POST", agent, headers: { ...lengthHeader, ...headers } },
      (response) => {
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () =>
          finish({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(parts).toString("utf8"),
          }),
        );
        response.on("error", (error) => failed(`the answer broke off: ${error.message}`));
      },
    );
    const timer = setTimeout(() => {
      failed(`no complete answer within ${timeoutMs} ms`);
      outgoing.destroy();
    }, timeoutMs);
    // A server may answer (413) and close before an oversized body is written: the answer counts.
    outgoing.on("error", (error) => {
      if (!answered) setTimeout(() => failed(`the connection failed: ${error.message}`), 50);
    });
    if (bytes !== undefined && chunks !== undefined) {
      const size = Math.max(1, Math.ceil(bytes.byteLength / chunks));
      for (let offset = 0; offset < bytes.byteLength; offset += size)
        outgoing.write(bytes.subarray(offset, offset + size));
      outgoing.end();
    } else outgoing.end(bytes);
  });
}
