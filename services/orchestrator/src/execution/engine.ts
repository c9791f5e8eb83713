import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { AGENT_TYPES, type AgentType } from "@devtools/contracts/agent-type";
import type { Database } from "@devtools/db/client";
import type { Logger } from "@devtools/service-kit/logger";
import type { Registry } from "prom-client";
import { AgentAvailability } from "./agent-availability.ts";
import type { CallbackDeliverer } from "./callbacks.ts";
import { type ClaimedSubtask, type ClaimRequest, claimRunnableSubtasks } from "./claim.ts";
import {
  CANCELLED,
  type Dispatch,
  type DispatchContext,
  type HandOff,
  LOST,
  runDispatch,
  SHUTDOWN,
} from "./dispatch.ts";
import { traceDispatch } from "./dispatch-trace.ts";
import type { AgentDispatcher } from "./dispatcher/agent-client.ts";
import type { TaskEventNotifier } from "./events.ts";
import type { RetryPolicy } from "./failure-policy.ts";
import { LeaseUpkeep } from "./lease-upkeep.ts";
import { ExecutionMetrics } from "./metrics.ts";
import { OutcomeRecorder } from "./recorder.ts";
import type { Lease } from "./settle.ts";
import type { CancelledSubtask } from "./task-commands.ts";

export interface ExecutionLimits {
  /** Subtasks this process dispatches at once, all agents together. */
  concurrency: number;
  /** Subtasks this process dispatches at once to one agent type. */
  agentConcurrency: number;
  /** How long a claim holds a subtask without renewal; renewed every third of it while the agent works. */
  leaseMs: number;
  /** How often to look for work nobody woke us for: expired leases, other replicas' tasks, due retries. */
  pollMs: number;
  /** A dispatch that takes longer is aborted and counts as a transient failure. */
  subtaskTimeoutMs: number;
  retry: RetryPolicy;
}

/** What the routes need from the engine. */
export interface ExecutionControl {
  /**
   * New runnable work may exist (a task was written, or retried): claim now — only for `agentTypes`
   * when given (a new task can only have made its first stage's agents' work runnable).
   */
  wake(agentTypes?: readonly AgentType[]): void;
  /**
   * A claim to ride in the transaction that writes new tasks, for their first stages' agent types:
   * they are dispatched as soon as the tasks are durable, without a claim of their own. Undefined
   * when there is no room now (the work is claimed once capacity frees) or the engine is not running.
   */
  claimWithNewTasks(agentTypes: readonly AgentType[]): HandOff | undefined;
  /** A task was cancelled here: abort this process's dispatches of it. */
  taskCancelled(taskId: string, subtasks: readonly CancelledSubtask[]): void;
}

export interface ExecutionEngineOptions {
  database: Database;
  dispatcher: AgentDispatcher;
  notifier: TaskEventNotifier;
  logger: Logger;
  registry: Registry;
  limits: ExecutionLimits;
  /**
   * Where this process serves (`host:port`): at most one process at a time can, so at start the
   * leases of earlier processes of the same instance are released at once, not left to expire.
   */
  instance: string;
  /** Delivers task-ended callbacks: woken when a task ends here, and at each poll. */
  callbacks?: CallbackDeliverer;
  now?: () => number;
  random?: () => number;
}

/**
 * Runs routing plans on the agents. It claims runnable subtasks from PostgreSQL up to its free
 * capacity (globally and per agent type), dispatches each to its agent under a lease it renews while
 * the agent works, and records each outcome fenced by that lease, so that killing the process at
 * any moment loses nothing (its leases expire, another process takes over) and repeats nothing (the
 * idempotency key `<subtask>:<generation>` makes the agent replay a result it already computed).
 * It wakes when told (a task written or retried, a subtask finished) and polls for the rest.
 */
export class ExecutionEngine implements ExecutionControl {
  readonly owner: string;
  readonly #options: ExecutionEngineOptions;
  readonly #database: Database;
  readonly #limits: ExecutionLimits;
  readonly #logger: Logger;
  readonly #metrics: ExecutionMetrics;
  readonly #recorder: OutcomeRecorder;
  readonly #upkeep: LeaseUpkeep;
  readonly #context: DispatchContext;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #inFlight = new Map<string, Dispatch>();
  readonly #perAgent = new Map<AgentType, number>();
  /** Capacity promised to claims still running (the pump's and hand-offs'), so that two claims never share it. */
  readonly #reserved = new Map<AgentType, number>();
  #state: "created" | "running" | "stopping" | "stopped" = "created";
  /**
   * Agent types that may have runnable work we have not claimed — the only ones a claim asks for —
   * each with the number of the wake that marked it, so that a wake during a claim is not lost.
   */
  readonly #dirty = new Map<AgentType, number>(AGENT_TYPES.map((agentType) => [agentType, 0]));
  #wakes = 0;
  #pumping = false;
  #again = false;
  #scheduled = false;
  #ticking = false;
  #claimPausedUntil = 0;
  #claimFailures = 0;
  #pollTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #wakeTimer: { at: number; handle: NodeJS.Timeout } | undefined;
  #stopDeadline = 0;
  #stopped: Promise<void> | undefined;

  constructor(options: ExecutionEngineOptions) {
    this.#options = options;
    this.#database = options.database;
    this.#limits = options.limits;
    this.#logger = options.logger.child({ component: "execution" });
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.owner = `${options.instance}/${process.pid}.${Date.now().toString(36)}.${randomBytes(3).toString("hex")}`;
    this.#metrics = new ExecutionMetrics(options.registry, {
      inFlight: () => Object.fromEntries(this.#perAgent),
      store: { query: options.database.query, logger: this.#logger },
    });
    const { database, notifier, limits } = options;
    this.#recorder = new OutcomeRecorder({
      database,
      notifier,
      metrics: this.#metrics,
      logger: this.#logger,
      taskEnded: () => options.callbacks?.wake(),
    });
    this.#upkeep = new LeaseUpkeep({
      database,
      owner: this.owner,
      leaseMs: limits.leaseMs,
      maxAttempts: limits.retry.maxAttempts,
      recorder: this.#recorder,
      metrics: this.#metrics,
      logger: this.#logger,
    });
    this.#context = {
      dispatcher: options.dispatcher,
      availability: new AgentAvailability({
        baseDelayMs: limits.retry.baseDelayMs,
        maxDelayMs: limits.retry.maxDelayMs,
        now: this.#now,
        random: this.#random,
      }),
      recorder: this.#recorder,
      metrics: this.#metrics,
      logger: this.#logger,
      retry: limits.retry,
      subtaskTimeoutMs: limits.subtaskTimeoutMs,
      now: this.#now,
      random: this.#random,
      wakeAt: (at) => this.#wakeAt(at),
      handOff: (lease) => this.#handOff(lease),
    };
  }

  /** Subtasks being dispatched by this process now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Releases what an earlier process of this instance left running, then starts claiming and polling. */
  async start(): Promise<void> {
    if (this.#state !== "created") return;
    this.#state = "running";
    await this.#upkeep.releasePredecessors(this.#options.instance);
    if (this.#state !== "running") return;
    this.#pollTimer = setInterval(() => void this.#tick(), this.#limits.pollMs);
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.#limits.leaseMs / 3)));
    this.#logger.info({ owner: this.owner, limits: this.#limits }, "execution engine started");
    this.wake();
    this.#options.callbacks?.wake();
  }

  wake(agentTypes: readonly AgentType[] = AGENT_TYPES): void {
    this.#markDirty(agentTypes);
    this.#schedulePump();
  }

  #markDirty(agentTypes: readonly AgentType[]): void {
    this.#wakes++;
    for (const agentType of agentTypes) this.#dirty.set(agentType, this.#wakes);
  }

  #schedulePump(): void {
    if (this.#state !== "running" || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#pump();
    });
  }

  taskCancelled(taskId: string, subtasks: readonly CancelledSubtask[]): void {
    for (const subtask of subtasks) this.#metrics.subtaskEnded(subtask.agentType, "cancelled");
    this.#metrics.taskFinished("cancelled");
    this.#options.callbacks?.wake();
    for (const dispatch of this.#inFlight.values()) {
      if (dispatch.lease.taskId === taskId) dispatch.controller.abort(CANCELLED);
    }
  }

  /** Stops claiming at once; `stop` then waits for the dispatches in flight. Idempotent. */
  beginStop(graceMs: number): void {
    if (this.#state !== "running" && this.#state !== "created") return;
    this.#state = "stopping";
    this.#stopDeadline = this.#now() + graceMs;
    clearInterval(this.#pollTimer);
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer.handle);
  }

  /**
   * Stops claiming, lets the dispatches in flight finish until the grace period ends (their leases
   * still renewed), then aborts the rest and releases them to `pending` so that another replica
   * takes them at once. Idempotent.
   */
  stop(graceMs: number): Promise<void> {
    this.beginStop(graceMs);
    this.#stopped ??= (async () => {
      const remaining = () => Math.max(0, this.#stopDeadline - this.#now());
      const all = () => Promise.allSettled([...this.#inFlight.values()].map((dispatch) => dispatch.done));
      if (this.#inFlight.size > 0) {
        const timer = new AbortController();
        await Promise.race([all(), delay(remaining(), undefined, { signal: timer.signal }).catch(() => {})]);
        timer.abort();
      }
      const left = [...this.#inFlight.values()];
      for (const dispatch of left) dispatch.controller.abort(SHUTDOWN);
      await all();
      clearInterval(this.#renewTimer);
      await this.#options.callbacks?.stop();
      this.#state = "stopped";
      await this.#options.dispatcher.close();
      this.#logger.info({ released: left.length }, "execution engine stopped");
    })();
    return this.#stopped;
  }

  // --- claiming -----------------------------------------------------------------------------------

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (this.#state === "running") {
          const quotas = this.#quotas();
          const entries = Object.entries(quotas) as [AgentType, number][];
          if (entries.length === 0) break;
          let claimed: ClaimedSubtask[];
          const wakesBefore = this.#wakes;
          this.#reserve(quotas, 1);
          try {
            claimed = await claimRunnableSubtasks(this.#database.query, this.#claimRequest(quotas));
            this.#claimFailures = 0;
          } catch (error) {
            this.#claimFailed(error);
            break;
          } finally {
            this.#reserve(quotas, -1);
          }
          if (!this.#took(claimed, quotas, wakesBefore)) break;
        }
      } while (this.#again && this.#state === "running");
    } finally {
      this.#pumping = false;
    }
  }

  #claimRequest(quotas: Partial<Record<AgentType, number>>): ClaimRequest {
    return {
      owner: this.owner,
      leaseMs: this.#limits.leaseMs,
      quotas,
      maxAttempts: this.#limits.retry.maxAttempts,
      inFlight: [...this.#inFlight.keys()],
    };
  }

  /**
   * Dispatches what a claim took (or hands it straight back when we stopped meanwhile) and forgets
   * the agent types that had no more runnable work. True when an agent got its whole quota: it may
   * have more waiting.
   */
  #took(claimed: ClaimedSubtask[], quotas: Partial<Record<AgentType, number>>, wakesBefore: number): boolean {
    if (this.#state !== "running") {
      for (const claim of claimed) {
        void this.#recorder.record(this.#leaseOf(claim), { kind: "released", reason: "claimed while shutting down" });
      }
      return false;
    }
    for (const claim of claimed) this.#dispatch(claim);
    if (claimed.length > 0) this.#options.notifier.notify(claimed.map((claim) => claim.taskId));
    const got = new Map<AgentType, number>();
    for (const claim of claimed) got.set(claim.agentType, (got.get(claim.agentType) ?? 0) + 1);
    const entries = Object.entries(quotas) as [AgentType, number][];
    for (const [agentType, quota] of entries) {
      const markedBy = this.#dirty.get(agentType) ?? 0;
      if (got.get(agentType) !== quota && markedBy <= wakesBefore) this.#dirty.delete(agentType);
    }
    return entries.some(([agentType, quota]) => got.get(agentType) === quota);
  }

  /**
   * The claim a success's settle carries: as many subtasks of each of its dependants' agent types as
   * it has such dependants, with the finishing dispatch's slot counted free. Any other work its end
   * makes room for is left to the wake that follows. Undefined when it frees nothing we have room for.
   */
  #handOff(lease: Lease): HandOff | undefined {
    const dispatch = this.#inFlight.get(lease.subtaskId);
    if (this.#state !== "running" || !dispatch || dispatch.claim.dependants.length === 0) return undefined;
    return this.#claimFor(dispatch.claim.dependants, lease.agentType);
  }

  claimWithNewTasks(agentTypes: readonly AgentType[]): HandOff | undefined {
    if (this.#state !== "running") {
      this.#markDirty(agentTypes);
      return undefined;
    }
    return this.#claimFor(agentTypes);
  }

  /**
   * A claim for `agentTypes` (one subtask per entry: the work an event just made runnable) to ride
   * in another transaction. A type it has no room for is marked as having work, and claimed once
   * capacity frees; one it has room for needs nothing more, whatever the claim finds.
   */
  #claimFor(agentTypes: readonly AgentType[], finishing?: AgentType): HandOff | undefined {
    const wanted = new Map<AgentType, number>();
    for (const agentType of agentTypes) wanted.set(agentType, (wanted.get(agentType) ?? 0) + 1);
    const quotas = this.#quotas({ ...(finishing ? { finishing } : {}), wanted });
    const short = [...wanted].filter(([agentType, n]) => (quotas[agentType] ?? 0) < n).map(([agentType]) => agentType);
    if (short.length > 0) {
      this.#markDirty(short);
      this.#schedulePump();
    }
    if (Object.keys(quotas).length === 0) return undefined;
    const wakesBefore = this.#wakes;
    this.#reserve(quotas, 1);
    return {
      request: this.#claimRequest(quotas),
      done: (claimed) => {
        this.#reserve(quotas, -1);
        this.#took(claimed, quotas, wakesBefore);
      },
    };
  }

  #reserve(quotas: Partial<Record<AgentType, number>>, sign: 1 | -1): void {
    for (const [agentType, n] of Object.entries(quotas) as [AgentType, number][]) {
      this.#reserved.set(agentType, (this.#reserved.get(agentType) ?? 0) + sign * n);
    }
  }

  /**
   * Free capacity per agent type that may have work: its own limit, its availability, and a fair
   * share of the global limit, less what running claims hold. Empty (no query at all) when every
   * such agent is paused or busy. `finishing`: a dispatch of this type is ending, its slot is free;
   * `wanted`: only these agent types, at most so many of each (else every type that may have work).
   */
  #quotas({
    finishing,
    wanted,
  }: {
    finishing?: AgentType;
    wanted?: Map<AgentType, number>;
  } = {}): Partial<Record<AgentType, number>> {
    let reservedTotal = 0;
    for (const n of this.#reserved.values()) reservedTotal += n;
    let free = this.#limits.concurrency - this.#inFlight.size - reservedTotal + (finishing ? 1 : 0);
    if (free <= 0 || this.#now() < this.#claimPausedUntil) return {};
    const room = new Map<AgentType, number>();
    for (const agentType of wanted?.keys() ?? this.#dirty.keys()) {
      const running =
        (this.#perAgent.get(agentType) ?? 0) + (this.#reserved.get(agentType) ?? 0) - (agentType === finishing ? 1 : 0);
      const limit = Math.min(
        this.#limits.agentConcurrency - running,
        this.#context.availability.allowance(agentType, running),
        wanted?.get(agentType) ?? Number.POSITIVE_INFINITY,
      );
      if (limit > 0) room.set(agentType, limit);
    }
    const quotas: Partial<Record<AgentType, number>> = {};
    while (free > 0 && room.size > 0) {
      for (const [agentType, left] of room) {
        if (free === 0) break;
        quotas[agentType] = (quotas[agentType] ?? 0) + 1;
        free--;
        if (left === 1) room.delete(agentType);
        else room.set(agentType, left - 1);
      }
    }
    return quotas;
  }

  #claimFailed(error: unknown): void {
    this.#claimFailures++;
    const pause = Math.min(this.#limits.retry.maxDelayMs, this.#limits.pollMs * 2 ** (this.#claimFailures - 1));
    this.#claimPausedUntil = this.#now() + pause;
    this.#logger.error({ err: error, pause_ms: pause }, "claiming subtasks failed; pausing claims");
  }

  // --- dispatching --------------------------------------------------------------------------------

  #leaseOf(claim: ClaimedSubtask): Lease {
    return {
      subtaskId: claim.id,
      taskId: claim.taskId,
      agentType: claim.agentType,
      owner: this.owner,
      generation: claim.generation,
      attempts: claim.attempts,
      budgeted: claim.budgeted,
    };
  }

  #dispatch(claim: ClaimedSubtask): void {
    const dispatch: Dispatch = {
      lease: this.#leaseOf(claim),
      claim,
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.#inFlight.set(claim.id, dispatch);
    this.#perAgent.set(claim.agentType, (this.#perAgent.get(claim.agentType) ?? 0) + 1);
    if (claim.recovered) {
      this.#metrics.leaseRecovered("expired");
      this.#logger.warn(
        { subtask_id: claim.id, task_id: claim.taskId, previous_owner: claim.previousOwner },
        "took over a subtask whose lease expired",
      );
    }
    dispatch.done = traceDispatch(claim, () => runDispatch(dispatch, this.#context))
      .catch((error: unknown) => this.#logger.error({ err: error, subtask_id: claim.id }, "dispatch failed"))
      .finally(() => {
        this.#inFlight.delete(claim.id);
        this.#perAgent.set(claim.agentType, (this.#perAgent.get(claim.agentType) ?? 1) - 1);
        // Its slot is free: claim what waits for capacity. What its end made runnable is already
        // marked (see #claimFor); a retry or an agent's pause wakes at its time (wakeAt).
        this.#schedulePump();
      });
  }

  // --- timers -------------------------------------------------------------------------------------

  /** Wakes at `at` (a retry falls due, an agent's pause ends), unless an earlier wake is set. */
  #wakeAt(at: number): void {
    if (this.#state !== "running") return;
    if (this.#wakeTimer && this.#wakeTimer.at <= at) return;
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer.handle);
    const handle = setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.wake();
      },
      Math.max(0, at - this.#now()) + 5,
    );
    this.#wakeTimer = { at, handle };
  }

  /** The poll: claim what nobody woke us for, notice lost leases, give up on subtasks that keep killing their owners. */
  async #tick(): Promise<void> {
    if (this.#state !== "running" || this.#ticking) return;
    this.#ticking = true;
    try {
      // Work nobody told us about: other replicas' tasks, expired leases, retries falling due.
      this.wake();
      this.#options.callbacks?.wake();
      const leases = this.#leases();
      if (leases.length > 0) this.#abortLost(await this.#upkeep.lost(leases));
      await this.#upkeep.sweepExhausted();
    } catch (error) {
      this.#logger.warn({ err: error }, "execution poll failed");
    } finally {
      this.#ticking = false;
    }
  }

  async #renew(): Promise<void> {
    try {
      this.#abortLost(await this.#upkeep.renew(this.#leases()));
    } catch (error) {
      this.#logger.warn({ err: error }, "renewing leases failed; retrying at the next renewal");
    }
  }

  #leases(): Lease[] {
    return [...this.#inFlight.values()].map((dispatch) => dispatch.lease);
  }

  #abortLost(lost: Set<string>): void {
    for (const id of lost) {
      const dispatch = this.#inFlight.get(id);
      if (dispatch && !dispatch.controller.signal.aborted) dispatch.controller.abort(LOST);
    }
  }
}
