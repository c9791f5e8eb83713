import type { Server } from "@modelcontextprotocol/sdk/server/index.js";

/**
 * The clients holding a `GET /mcp` event stream open on this replica: the only way a stateless
 * server can reach a client outside a request. Each is sent `notifications/tools/list_changed`
 * when the providers' tools change; clients without such a stream see the change at their next
 * `tools/list`.
 */
export class ToolListSubscribers {
  readonly #servers = new Set<Server>();

  /** Keeps `server` (whose transport answered the GET) until the client leaves. */
  add(server: Server, gone: AbortSignal): void {
    this.#servers.add(server);
    gone.addEventListener(
      "abort",
      () => {
        this.#servers.delete(server);
        void server.close();
      },
      { once: true },
    );
  }

  notify(): void {
    for (const server of this.#servers) server.sendToolListChanged().catch(() => this.#servers.delete(server));
  }

  /** Ends every stream, so that shutdown does not wait on them. */
  async close(): Promise<void> {
    const servers = [...this.#servers];
    this.#servers.clear();
    await Promise.all(servers.map((server) => server.close()));
  }
}
