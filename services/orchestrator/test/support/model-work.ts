import type { Task } from "@devtools/contracts/task";
import type { Simulator } from "@devtools/inference-simulator/server";
import type { ServiceProcess } from "@devtools/testkit/process";
import { metricSum } from "./processes.ts";

/**
 * Model calls that completed at the simulators, the agents' executions that succeeded (replays are
 * not executions) and those their caller abandoned (the agent aborts them). Agents' counters start
 * at zero with each process: count a killed agent's work at the simulator.
 */
export async function modelWork(simulators: readonly Pick<Simulator, "stats">[], agents: readonly ServiceProcess[]) {
  const count = async (outcome: string) =>
    (await Promise.all(agents.map((agent) => metricSum(agent, "agent_executions_total", { outcome })))).reduce(
      (sum, n) => sum + n,
      0,
    );
  return {
    finished: simulators.reduce((sum, simulator) => sum + simulator.stats().finished, 0),
    executions: await count("success"),
    cancelled: await count("cancelled"),
  };
}

/** Model calls the stored results account for: one each, two when a repair round was needed. */
export const modelCallsOf = (tasks: readonly Task[]) =>
  tasks
    .flatMap((task) => task.subtasks)
    .filter((subtask) => subtask.result)
    .reduce((sum, subtask) => sum + (subtask.result?.repaired ? 2 : 1), 0);
