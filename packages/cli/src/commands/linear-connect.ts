import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { type LinearConnectionSummary, LinearStatusResponse } from "@devtools/contracts/linear";
import { HttpClient } from "../api/http-client.ts";
import { type Command, integer, parseCommandArgs } from "../cli/command.ts";
import { CliError, ExitCode } from "../cli/exit-codes.ts";

const NAME = "linear connect";
const POLL_MS = 1_000;
const OPTIONS = {
  url: { type: "string" },
  timeout: { type: "string", default: "300" },
  open: { type: "boolean", default: false },
} as const;

export const linearConnectCommand: Command = {
  name: NAME,
  summary: "connect a Linear workspace: prints (or opens) the approval URL and waits for it",
  help: `Usage: devtools linear connect [options]

Prints the gateway's Linear authorization address, to open in a browser and approve, and waits
until the gateway has stored the new connection (/oauth/linear/status), then shows the workspace.
The gateway needs LINEAR_CLIENT_ID, LINEAR_CLIENT_SECRET and TOKEN_ENCRYPTION_KEY (see README).

Options:
  --url <url>          the gateway (default: DEVTOOLS_URL, else http://localhost:8000)
  --open               open the address in the default browser too
  --timeout <seconds>  how long to wait for the approval (default 300)
  -h, --help           this help

Exit status: 0 connected; 1 not configured, or no approval in time; 2 usage error;
3 the gateway is not reachable; 130 Ctrl-C.`,

  async run(argv, { env, terminal, signal }) {
    const { values } = parseCommandArgs(NAME, argv, OPTIONS, { min: 0, max: 0, names: "" });
    const timeoutMs = integer(NAME, "timeout", values.timeout, 1, 86_400) * 1000;
    const gateway = new HttpClient({
      baseUrl: (values.url ?? env.gatewayUrl).replace(/\/+$/, ""),
      name: "the devtools gateway",
      howToChange: "set DEVTOOLS_URL (or --url) to where it runs",
      authorization: undefined,
    });
    try {
      const before = await storedConnection(gateway, signal);
      // Asked first, so that a gateway without an OAuth app says so here rather than in the browser.
      const preflight = await gateway.send("GET", "/oauth/linear/authorize", { signal });
      const text = await gateway.readText(preflight);
      if (preflight.statusCode !== 302) throw gateway.errorAnswer(preflight.statusCode, text);
      const address = `${gateway.endpoint.baseUrl}/oauth/linear/authorize`;
      if (before?.status === "connected") {
        terminal.out(`currently connected to ${before.workspace.name}; approving again replaces that connection\n`);
      }
      terminal.out(`Open this address in a browser and approve devtools in Linear:\n\n  ${address}\n\n`);
      if (values.open) openInBrowser(address, terminal);
      terminal.out(`waiting for the connection (up to ${timeoutMs / 1000} s; Ctrl-C stops waiting)…\n`);
      const connected = await waitForNewConnection(gateway, before, timeoutMs, signal);
      if (!connected) {
        if (signal.aborted) return ExitCode.interrupted;
        throw new CliError(
          `no new Linear connection within ${timeoutMs / 1000} s: approve at ${address}, then run this again (or see ${gateway.endpoint.baseUrl}/oauth/linear/status)`,
          ExitCode.failed,
        );
      }
      const where = connected.workspace.url_key ? ` (linear.app/${connected.workspace.url_key})` : "";
      terminal.out(
        `connected to ${connected.workspace.name}${where} as ${connected.actor}, scopes ${connected.scopes.join(", ")}\n`,
      );
      return ExitCode.ok;
    } finally {
      await gateway.close();
    }
  },
};

async function storedConnection(gateway: HttpClient, signal: AbortSignal): Promise<LinearConnectionSummary | null> {
  const { value } = await gateway.json(LinearStatusResponse, "GET", "/oauth/linear/status", { signal });
  return value.status.stored;
}

/** Polls the status until a connection other than `before` is stored and connected; undefined on timeout or Ctrl-C. */
async function waitForNewConnection(
  gateway: HttpClient,
  before: LinearConnectionSummary | null,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<LinearConnectionSummary | undefined> {
  const deadline = Date.now() + timeoutMs;
  const isNew = (stored: LinearConnectionSummary) =>
    !before || stored.workspace.id !== before.workspace.id || stored.connected_at !== before.connected_at;
  while (Date.now() < deadline && !signal.aborted) {
    try {
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), undefined, { signal });
    } catch {
      return undefined;
    }
    const stored = await storedConnection(gateway, signal);
    if (stored?.status === "connected" && isNew(stored)) return stored;
  }
  return undefined;
}

/** Hands the address to the desktop's opener; if there is none, the printed address is still there. */
function openInBrowser(address: string, terminal: { err: (text: string) => void }): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [address]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", address]]
        : ["xdg-open", [address]];
  const child = spawn(command, args as string[], { stdio: "ignore", detached: true });
  child.on("error", () => terminal.err(`could not open a browser (${command}); open the address yourself\n`));
  child.unref();
}
