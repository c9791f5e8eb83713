import { waitFor } from "@devtools/testkit/poll";
import { describe, expect, it } from "vitest";
import { THREE_STAGES } from "../support/execution.ts";
import { metricSum } from "../support/processes.ts";
import { allEndedCorrectly, expectModelWorkOnce, orchestrateMany, startStage } from "./support/fault-stack.ts";

describe("an agent killed mid-subtask", () => {
  it("SIGKILLed while its model calls are in flight and started again: the subtasks finish, every task succeeds, each subtask's model call completed exactly once", async () => {
    // A slow first token, so that the kill lands while the calls run; retries enough to outlast the restart.
    const stage = await startStage({
      simulator: { ttftMs: 1_500 },
      orchestratorEnv: { SUBTASK_MAX_ATTEMPTS: "30" },
    });
    try {
      const [simulator] = stage.simulators;
      const before = await stage.work();
      const created = await orchestrateMany(stage.orchestrator, 4, THREE_STAGES);
      // Stage 0 of each task is infrastructure: its four model calls running at once.
      await waitFor(() => (simulator?.stats().running === 4 ? true : undefined), {
        what: "the infrastructure agent's four model calls to be in flight",
      });

      await stage.agents.infrastructure.kill();
      await waitFor(() => (simulator?.stats().running === 0 ? true : undefined), {
        what: "the killed agent's calls to end at the simulator",
      });
      await stage.restartAgent("infrastructure");
      const tasks = await allEndedCorrectly(
        stage.orchestrator,
        created.map((task) => task.task_id),
      );

      expect(tasks.map((task) => task.status)).toEqual(Array(4).fill("succeeded"));
      for (const task of tasks) {
        const infrastructure = task.subtasks.find((subtask) => subtask.agent_type === "infrastructure");
        expect(infrastructure?.attempts).toBeGreaterThanOrEqual(2);
      }
      const after = await stage.work();
      // The killed calls were cut mid-way (aborted, not completed) and made again on the new process:
      // the completed calls are exactly those the results account for.
      expect(simulator?.stats().aborted).toBeGreaterThanOrEqual(4);
      expectModelWorkOnce(before, after, tasks, { executionsCounted: false });
      expect(
        await metricSum(stage.orchestrator, "orchestrator_dispatch_retries_total", { agent: "infrastructure" }),
      ).toBeGreaterThan(0);
    } finally {
      await stage.stop();
    }
  });
});
