import { parsePrometheusText, total } from "@devtools/testkit/prometheus-text";
import { describe, expect, it } from "vitest";
import { THREE_STAGES } from "../support/execution.ts";
import { metricSum } from "../support/processes.ts";
import {
  allEndedCorrectly,
  expectModelWorkOnce,
  orchestrateMany,
  type Stage,
  startStage,
} from "./support/fault-stack.ts";
import { subtasksIn } from "./support/final-states.ts";

// A misbehaving inference backend under a batch of tasks, the agents and the orchestrator as real
// processes. Fault decisions come from a fixed seed; which subtask a fault lands on depends on the
// order requests arrive in, so the oracle accepts any correct ending: succeeded after retries, or
// failed/partial with the reason, and nothing left pending or running.
const TASKS = 12;

/** Faults of `kind` the simulators injected. */
async function injected(stage: Stage, kind: string): Promise<number> {
  let sum = 0;
  for (const simulator of stage.simulators) {
    sum += total(parsePrometheusText(await simulator.registry.metrics()), "devtools_simulator_faults_injected_total", {
      kind,
    });
  }
  return sum;
}

/** Attempts of the agents' inference clients that ended with `outcome`. */
async function inferenceOutcomes(stage: Stage, outcome: string): Promise<number> {
  const counts = await Promise.all(
    Object.values(stage.agents).map((agent) => metricSum(agent, "inference_requests_total", { outcome })),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * Posts TASKS plans at once and waits until each has ended correctly; `expectModelledOnce` then
 * checks that no subtask's model work ran twice.
 */
async function burst(stage: Stage) {
  const before = await stage.work();
  const created = await orchestrateMany(stage.orchestrator, TASKS, THREE_STAGES);
  const tasks = await allEndedCorrectly(
    stage.orchestrator,
    created.map((task) => task.task_id),
  );
  return { tasks, expectModelledOnce: async () => expectModelWorkOnce(before, await stage.work(), tasks) };
}

describe("inference backend faults", () => {
  it("with 20% of model calls answering 500/503, every task ends succeeded after retries or failed/partial with the reason, each subtask modelled once", async () => {
    // No retries inside the agents: each error reaches the orchestrator, which tries each subtask twice.
    const stage = await startStage({
      simulator: { errorRate: 0.2, errorStatusCodes: [500, 503], faultSeed: 20 },
      agentEnv: { INFERENCE_MAX_RETRIES: "0" },
      orchestratorEnv: { SUBTASK_MAX_ATTEMPTS: "2" },
    });
    try {
      const { tasks, expectModelledOnce } = await burst(stage);

      expect(await injected(stage, "error")).toBeGreaterThan(0);
      expect(
        await metricSum(stage.orchestrator, "orchestrator_dispatch_retries_total", { reason: "status" }),
      ).toBeGreaterThan(0);
      for (const subtask of subtasksIn(tasks, "failed")) {
        expect(subtask.error).toMatch(/^gave up after 2 attempts: \S+ answered 503: Inference backend unavailable: /);
      }
      await expectModelledOnce();
    } finally {
      await stage.stop();
    }
  });

  it("with model calls that hang, the agent's inference timeout and the orchestrator's dispatch timeout fire and the subtasks are retried to a correct end", async () => {
    // One simulator per agent, so that each agent's n-th call has a fixed fate and hangs certainly
    // reach all three. Infrastructure gives up on a silent backend itself (and answers 503); cicd
    // and documentation would wait a minute, so the orchestrator's dispatch timeout ends them.
    const stage = await startStage({
      simulator: { hangRate: 0.25, faultSeed: 3 },
      simulatorPerAgent: true,
      agentEnv: { INFERENCE_MAX_RETRIES: "1" },
      agentEnvOf: {
        infrastructure: { INFERENCE_TIMEOUT_MS: "500" },
        cicd: { INFERENCE_TIMEOUT_MS: "60000" },
        documentation: { INFERENCE_TIMEOUT_MS: "60000" },
      },
      orchestratorEnv: { SUBTASK_TIMEOUT_MS: "2500", SUBTASK_MAX_ATTEMPTS: "3" },
    });
    try {
      const { expectModelledOnce } = await burst(stage);

      expect(await injected(stage, "hang")).toBeGreaterThan(0);
      expect(
        await metricSum(stage.agents.infrastructure, "inference_requests_total", { outcome: "timeout" }),
      ).toBeGreaterThan(0);
      expect(
        await metricSum(stage.orchestrator, "orchestrator_dispatch_retries_total", { reason: "timeout" }),
      ).toBeGreaterThan(0);
      // Every hung call was ended by a timeout: none is still open at the simulators.
      expect(stage.simulators.map((simulator) => simulator.stats().running)).toEqual([0, 0, 0]);
      await expectModelledOnce();
    } finally {
      await stage.stop();
    }
  });

  it("with connections dropped mid-answer, the agents see connection errors, the subtasks are retried and every task ends correctly, each subtask modelled once", async () => {
    const stage = await startStage({
      simulator: { dropRate: 0.3, faultSeed: 4 },
      agentEnv: { INFERENCE_MAX_RETRIES: "0" },
      orchestratorEnv: { SUBTASK_MAX_ATTEMPTS: "3" },
    });
    try {
      const { expectModelledOnce } = await burst(stage);

      expect(await injected(stage, "drop")).toBeGreaterThan(0);
      expect(await inferenceOutcomes(stage, "connection_error")).toBeGreaterThan(0);
      expect(
        await metricSum(stage.orchestrator, "orchestrator_dispatch_retries_total", { reason: "status" }),
      ).toBeGreaterThan(0);
      // A dropped call produced its tokens but no answer: it counts as aborted, never as completed.
      expect(stage.simulators[0]?.stats().aborted).toBeGreaterThan(0);
      await expectModelledOnce();
    } finally {
      await stage.stop();
    }
  });
});
