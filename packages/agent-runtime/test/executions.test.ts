import { randomUUID } from "node:crypto";
import { ExecuteRequest, type ExecuteResult } from "@devtools/contracts/agent";
import { describe, expect, it } from "vitest";
import { IdempotencyConflictError } from "../src/errors.ts";
import { type Execute, Executions } from "../src/executions.ts";
import type { ExecutionContext } from "../src/executor.ts";
import { type IdempotencyStore, MemoryIdempotencyStore } from "../src/idempotency-store.ts";
import { executeBody } from "./support/http.ts";

function resultFor(request: ExecuteRequest): ExecuteResult {
  return {
    subtask_id: request.subtask_id,
    agent_type: "documentation",
    summary: request.description,
    artifacts: [],
    output: { documents: [{ path: "README.md", content: request.description }] },
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    model: "m",
    repaired: false,
    replayed: false,
  };
}

/** An execute function the test finishes by hand, recording each call's context. */
function manualExecute() {
  const calls: {
    request: ExecuteRequest;
    context: ExecutionContext;
    finish: () => void;
    fail: (error: Error) => void;
  }[] = [];
  const execute: Execute = (request, context) =>
    new Promise((resolve, reject) => {
      const call = { request, context, finish: () => resolve(resultFor(request)), fail: reject };
      calls.push(call);
      context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true });
    });
  return { calls, execute };
}

const request = (overrides: Record<string, unknown> = {}) => ExecuteRequest.parse(executeBody(overrides));
/** Lets pending promise reactions run, so that an execution that is due to start has started. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Executions", () => {
  it("runs concurrent duplicates once and answers the later ones as replayed", async () => {
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: new MemoryIdempotencyStore(), execute });
    const body = request();
    const first = executions.run(body, { signal: new AbortController().signal });
    const second = executions.run(body, { signal: new AbortController().signal });
    await settle();
    calls[0]?.finish();

    expect(await first).toMatchObject({ replayed: false, result: { replayed: false } });
    expect(await second).toMatchObject({ replayed: true, result: { replayed: true } });
    expect(calls).toHaveLength(1);
    expect(executions.running).toBe(0);
  });

  it("aborts the execution only when its last waiter leaves", async () => {
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: new MemoryIdempotencyStore(), execute });
    const body = request();
    const [one, two] = [new AbortController(), new AbortController()];
    const first = executions.run(body, { signal: one.signal }).catch((error: unknown) => error);
    const second = executions.run(body, { signal: two.signal }).catch((error: unknown) => error);
    await settle();
    const signal = calls[0]?.context.signal;

    one.abort("first left");
    await first;
    expect(signal?.aborted).toBe(false);
    two.abort("second left");
    expect(await second).toBe("second left");
    expect(signal?.aborted).toBe(true);
    expect(executions.running).toBe(0);
  });

  it("stores only successes: after a failure or a cancellation the same key runs again", async () => {
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: new MemoryIdempotencyStore(), execute });
    const body = request();

    const failing = executions.run(body, { signal: new AbortController().signal });
    await settle();
    calls[0]?.fail(new Error("model down"));
    await expect(failing).rejects.toThrow("model down");

    const leaving = new AbortController();
    const cancelled = executions.run(body, { signal: leaving.signal }).catch(() => "left");
    await settle();
    leaving.abort();
    await cancelled;

    const succeeding = executions.run(body, { signal: new AbortController().signal });
    await settle();
    calls[2]?.finish();
    expect((await succeeding).replayed).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it("refuses a key reused with a different body, while running and once stored", async () => {
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: new MemoryIdempotencyStore(), execute });
    const body = request();
    const other = { ...body, description: "another subtask" };
    const first = executions.run(body, { signal: new AbortController().signal });

    await expect(executions.begin(other, { stream: false })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await settle();
    calls[0]?.finish();
    await first;
    await expect(executions.begin(other, { stream: true })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it("sends a stream that joins late what happened so far, then what happens next", async () => {
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: new MemoryIdempotencyStore(), execute });
    const body = request();
    const first = executions.run(body, { signal: new AbortController().signal });
    await settle();
    calls[0]?.context.events.phase("started");
    calls[0]?.context.events.token("{");
    const seen: string[] = [];
    const ticket = await executions.begin(body, { stream: true });
    if (ticket.kind !== "running") throw new Error("expected a running execution");
    const joined = ticket.wait({
      signal: new AbortController().signal,
      events: { phase: (phase) => seen.push(phase), token: (text) => seen.push(text) },
    });
    calls[0]?.context.events.token("}");
    calls[0]?.finish();

    await Promise.all([first, joined]);
    expect(seen).toEqual(["started", "{", "}"]);
    expect(ticket.joined).toBe(true);
  });

  it("answers without idempotency when the store fails", async () => {
    const broken: IdempotencyStore = {
      get: () => Promise.reject(new Error("store down")),
      set: () => Promise.reject(new Error("store down")),
    };
    const errors: unknown[] = [];
    const { calls, execute } = manualExecute();
    const executions = new Executions({ store: broken, execute, onStoreError: (error) => errors.push(error) });
    const answer = executions.run(request({ idempotency_key: randomUUID() }), { signal: new AbortController().signal });
    await settle();
    calls[0]?.finish();

    expect((await answer).replayed).toBe(false);
    expect(errors).toHaveLength(2);
  });
});
