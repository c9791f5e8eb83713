import type { AgentType } from "@devtools/contracts/agent-type";

interface Outage {
  failures: number;
  /** Until then no new subtask of the agent is dispatched; after it, one probe at a time. */
  pausedUntil: number;
}

export interface AgentAvailabilityOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
  random?: () => number;
}

/**
 * Per agent, whether to dispatch to it now. An agent that cannot be reached (or answers 429/503)
 * is paused: nothing more is claimed for it until the pause ends, then one subtask probes it, and
 * the pause doubles each time the probe fails too. Without this, a backlog for an agent that is
 * down would be claimed, refused and put back as fast as the database allows; with it, an outage
 * costs one dispatch per pause, and other agents' subtasks run as usual.
 */
export class AgentAvailability {
  readonly #outages = new Map<AgentType, Outage>();
  readonly #options: Required<AgentAvailabilityOptions>;

  constructor(options: AgentAvailabilityOptions) {
    this.#options = { now: Date.now, random: Math.random, ...options };
  }

  /** How many more of the agent's subtasks may be dispatched, given `inFlight` of them running. */
  allowance(agentType: AgentType, inFlight: number): number {
    const outage = this.#outages.get(agentType);
    if (!outage) return Number.POSITIVE_INFINITY;
    if (this.#options.now() < outage.pausedUntil) return 0;
    return Math.max(0, 1 - inFlight);
  }

  /** The agent answered (whatever it said, it is there and willing). */
  reachable(agentType: AgentType): void {
    this.#outages.delete(agentType);
  }

  /** The agent could not be reached, or asked for a pause (`retryAfterMs`). */
  unavailable(agentType: AgentType, retryAfterMs?: number): void {
    const failures = (this.#outages.get(agentType)?.failures ?? 0) + 1;
    const { baseDelayMs, maxDelayMs, now, random } = this.#options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    // Half fixed, half jittered: never zero, and replicas that saw the outage together probe apart.
    const pause = retryAfterMs ?? ceiling / 2 + random() * (ceiling / 2);
    this.#outages.set(agentType, { failures, pausedUntil: now() + Math.min(maxDelayMs, pause) });
  }

  /** When the next pause ends (to wake for its probe), or undefined when none is pending. */
  nextResumeAt(): number | undefined {
    const now = this.#options.now();
    let next: number | undefined;
    for (const { pausedUntil } of this.#outages.values()) {
      if (pausedUntil > now && (next === undefined || pausedUntil < next)) next = pausedUntil;
    }
    return next;
  }

  /** Agents paused right now. */
  paused(): AgentType[] {
    const now = this.#options.now();
    return [...this.#outages].filter(([, outage]) => now < outage.pausedUntil).map(([agentType]) => agentType);
  }
}
