import { VllmError } from "./errors.ts";
import type { FaultKind, SimulatorMetrics } from "./metrics.ts";
import { Rng } from "./random.ts";

export interface FaultOptions {
  errorRate: number;
  errorStatusCodes: readonly number[];
  slowRate: number;
  slowMs: number;
  hangRate: number;
  dropRate: number;
  faultSeed?: number | undefined;
}

/** What goes wrong with one request, decided when it arrives. */
export interface FaultPlan {
  error?: VllmError;
  extraDelayMs: number;
  hang: boolean;
  /** Drop the connection once this fraction of the output is out (0: before any answer). */
  dropAfter?: number;
}

/**
 * Header a test can send to force faults on one request, e.g. `error:429`, `slow:300`, `hang`,
 * `drop`, `drop:0.5` (comma-separated), whatever the configured rates.
 */
export const FAULT_HEADER = "x-simulator-fault";

// http_exception_handler uses the status phrase as the type; GenerationError uses InternalServerError.
const ERROR_TYPES: Record<number, [type: string, message: string]> = {
  429: ["Too Many Requests", "Too many requests, please retry later (simulated fault)."],
  500: ["InternalServerError", "Internal server error (simulated fault)."],
  502: ["Bad Gateway", "Bad gateway (simulated fault)."],
  503: ["Service Unavailable", "The server is overloaded, please retry later (simulated fault)."],
  504: ["Gateway Timeout", "Gateway timeout (simulated fault)."],
};

export function injectedError(status: number): VllmError {
  const [type, message] = ERROR_TYPES[status] ?? ["InternalServerError", `Simulated fault with status ${status}.`];
  return new VllmError(status, type, message);
}

/** Draws fault decisions from one sequence: with a fault seed, the n-th request always gets the same fate. */
export class FaultInjector {
  readonly #options: FaultOptions;
  readonly #metrics: SimulatorMetrics;
  readonly #rng: Rng;

  constructor(options: FaultOptions, metrics: SimulatorMetrics) {
    this.#options = options;
    this.#metrics = metrics;
    this.#rng = options.faultSeed === undefined ? Rng.unseeded() : Rng.fromParts("faults", options.faultSeed);
  }

  plan(forced: string | undefined): FaultPlan {
    const o = this.#options;
    // Draw every number every time, so one decision never shifts the others' sequence.
    const [error, status, slow, hang, drop, dropPoint] = Array.from({ length: 6 }, () => this.#rng.next()) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const plan: FaultPlan = { extraDelayMs: 0, hang: false };
    if (error < o.errorRate && o.errorStatusCodes.length > 0) {
      plan.error = injectedError(o.errorStatusCodes[Math.floor(status * o.errorStatusCodes.length)] ?? 500);
    } else if (hang < o.hangRate) {
      plan.hang = true;
    } else if (drop < o.dropRate) {
      plan.dropAfter = dropPoint;
    }
    if (slow < o.slowRate) plan.extraDelayMs = o.slowMs;
    if (forced) applyForced(plan, forced, o.slowMs);
    this.#count(plan);
    return plan;
  }

  #count(plan: FaultPlan): void {
    const kinds: FaultKind[] = [];
    if (plan.error) kinds.push("error");
    if (plan.extraDelayMs > 0) kinds.push("slow");
    if (plan.hang) kinds.push("hang");
    if (plan.dropAfter !== undefined) kinds.push("drop");
    for (const kind of kinds) this.#metrics.faults.inc({ kind });
  }
}

function applyForced(plan: FaultPlan, header: string, defaultSlowMs: number): void {
  for (const part of header.split(",")) {
    const [kind = "", argument] = part.trim().split(":");
    const value = argument === undefined ? undefined : Number(argument);
    const given = value !== undefined && Number.isFinite(value);
    if (kind === "error") plan.error = injectedError(given ? value : 500);
    else if (kind === "slow") plan.extraDelayMs = given ? Math.max(0, value) : defaultSlowMs;
    else if (kind === "hang") plan.hang = true;
    else if (kind === "drop") plan.dropAfter = given ? Math.min(1, Math.max(0, value)) : 0.5;
  }
}
