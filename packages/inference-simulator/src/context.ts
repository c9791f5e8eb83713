import type { Engine } from "./engine.ts";
import { modelNotFound } from "./errors.ts";
import type { FaultInjector } from "./faults.ts";
import type { SimulatorMetrics } from "./metrics.ts";
import type { SimulatorOptions } from "./options.ts";

/** What the routes share: configuration, the engine, fault decisions and metrics. */
export interface SimulatorContext {
  options: SimulatorOptions;
  engine: Engine;
  faults: FaultInjector;
  metrics: SimulatorMetrics;
  /** Aborts when the simulator closes, ending hung and running requests. */
  shutdownSignal: AbortSignal;
}

/** The simulated vLLM release (the OpenAI-compatible server of vLLM ≥ 0.12). */
export const SIMULATED_VLLM_VERSION = "0.12.0";

/** Says in every answer that this is the simulator, not a real model. */
export const SIMULATOR_HEADER = "x-inference-simulator";
export const SYSTEM_FINGERPRINT = `devtools-inference-simulator-vllm-${SIMULATED_VLLM_VERSION}`;

/** The name responses report: the first served name, as vLLM's OpenAIServingModels.model_name(). */
export function servedModelName(options: SimulatorOptions): string {
  return options.servedModelNames[0] ?? options.model;
}

/** vLLM's _check_model: an absent model means the served one; an unknown one is a 404. */
export function checkModel(options: SimulatorOptions, model: string | null | undefined): void {
  if (model && !options.servedModelNames.includes(model)) throw modelNotFound(model);
}
