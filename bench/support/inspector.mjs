// Live heap of a child Node process, measured the way a heap profiler does: through its inspector,
// collect the garbage, then read the heap in use. RSS alone cannot say whether memory is held:
// V8 and the allocator keep freed pages for reuse and return them to the system when they like.

/** `--inspect` on a free loopback port; the child prints the address `inspectorUrl` reads. */
export const INSPECT_ARG = "--inspect=127.0.0.1:0";

/** The inspector's WebSocket address from a child's output lines, or undefined before it printed it. */
export function inspectorUrl(output) {
  for (const line of output) {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** Sends one inspector command on `socket` and resolves with its result. */
function command(socket, pending, method, params = {}) {
  const id = pending.next++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve, reject) => pending.waiting.set(id, { resolve, reject }));
}

/**
 * Bytes of JavaScript heap the process still uses after full garbage collections (twice, so that
 * what the first one's finalizers freed goes too).
 */
export async function liveHeapBytes(url) {
  const socket = new WebSocket(url);
  const pending = { next: 1, waiting: new Map() };
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    const entry = pending.waiting.get(message.id);
    if (!entry) return;
    pending.waiting.delete(message.id);
    if (message.error) entry.reject(new Error(`${message.error.message} (inspector)`));
    else entry.resolve(message.result);
  });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true });
  });
  try {
    await command(socket, pending, "HeapProfiler.collectGarbage");
    await command(socket, pending, "HeapProfiler.collectGarbage");
    const { usedSize } = await command(socket, pending, "Runtime.getHeapUsage");
    return usedSize;
  } finally {
    socket.close();
  }
}
