import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecuteRequest } from "@devtools/contracts/agent";

/** How the fake agent answers: a fixed problem, or whatever a real agent answers. */
export type FakeAgentMode =
  | { kind: "problem"; status: number; title: string; detail: string; retryAfter?: string }
  | { kind: "forward"; url: string };

/** An agent stand-in on a free port that records each request and answers as `mode` says. */
export async function startFakeAgent(mode: FakeAgentMode) {
  const received: ExecuteRequest[] = [];
  const state = { mode };
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    received.push(JSON.parse(body) as ExecuteRequest);
    const current = state.mode;
    if (current.kind === "forward") {
      const answer = await fetch(`${current.url}/execute`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
      response.end(await answer.text());
      return;
    }
    response.writeHead(current.status, {
      "content-type": "application/problem+json",
      ...(current.retryAfter ? { "retry-after": current.retryAfter } : {}),
    });
    response.end(
      JSON.stringify({
        type: "urn:devtools:problem:x",
        title: current.title,
        status: current.status,
        detail: current.detail,
      }),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    set: (next: FakeAgentMode) => {
      state.mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
