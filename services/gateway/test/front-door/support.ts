import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const ADMIN = fileURLToPath(new URL("../../src/admin/main.ts", import.meta.url));

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the admin command as its own process, as an operator would. */
export async function runAdmin(args: readonly string[], env: Record<string, string>): Promise<AdminRun> {
  const child = spawn(process.execPath, [ADMIN, ...args], {
    // PORT points the "is a gateway running?" probe at a port nothing listens on, unless a test says otherwise.
    env: { ...process.env, PORT: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** Creates a key with the admin command and returns it. */
export async function createKeyWithAdmin(name: string, env: Record<string, string>): Promise<string> {
  const run = await runAdmin(["create-key", "--name", name], env);
  if (run.code !== 0) throw new Error(`admin create-key exited with ${run.code}: ${run.stderr}`);
  return run.stdout.trim();
}

export interface FakeUpstream {
  url: string;
  /** Every request it received, with its headers and the body it read. */
  requests: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  close: () => Promise<void>;
}

/** A small HTTP server standing in for an internal service; `handle` answers each request. */
export async function startFakeUpstream(
  handle: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>,
): Promise<FakeUpstream> {
  const requests: FakeUpstream["requests"] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    void Promise.resolve(handle(request, response)).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

/** Reads a response that must be problem+json. */
export async function readProblem(response: Response): Promise<ProblemBody> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got ${type || "no content type"}: ${await response.text()}`);
  }
  return (await response.json()) as ProblemBody;
}
