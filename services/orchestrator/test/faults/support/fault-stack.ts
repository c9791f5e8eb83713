import { setTimeout as delay } from "node:timers/promises";
import type { AgentType } from "@devtools/contracts/agent-type";
import { Task } from "@devtools/contracts/task";
import { type RunningSimulator, type SimulatorInput, startSimulator } from "@devtools/inference-simulator/server";
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
  type TestDatabaseKind,
} from "@devtools/testkit/database";
import { waitFor } from "@devtools/testkit/poll";
import { freePort, type ServiceProcess, startService } from "@devtools/testkit/process";
import { expect } from "vitest";
import { modelCallsOf, modelWork } from "../../support/model-work.ts";
import { agentUrls, finished, orchestrate, startOrchestrator } from "../../support/processes.ts";
import { expectEndedCorrectly, subtasksIn } from "./final-states.ts";

/** The agents of THREE_STAGES: the only ones a fault test starts (the other two are never sent work). */
export const THREE_AGENTS = ["infrastructure", "cicd", "documentation"] as const satisfies readonly AgentType[];
export type StageAgent = (typeof THREE_AGENTS)[number];

/** The machine's PostgreSQL when it answers (faster to start than PGlite), else PGlite. */
export async function faultDatabaseKind(): Promise<TestDatabaseKind> {
  return (await postgresAvailable()) ? "postgres" : "pglite";
}

/** An orchestrator's agent URLs: the three given, and a closed port for the two THREE_STAGES never uses. */
async function stageAgentUrls(agents: Record<StageAgent, ServiceProcess>): Promise<Record<string, string>> {
  const closed = `http://127.0.0.1:${await freePort()}`;
  return agentUrls({
    "feature-dev": closed,
    "code-review": closed,
    infrastructure: agents.infrastructure.url,
    cicd: agents.cicd.url,
    documentation: agents.documentation.url,
  });
}

export interface StageOptions {
  /** The simulator's options (latency, fault rates and seed). */
  simulator?: SimulatorInput;
  /** One simulator per agent, all with `simulator`'s options: each agent's n-th model call then has a fixed fate. */
  simulatorPerAgent?: boolean;
  /** Environment of all agents, and of each one. */
  agentEnv?: Record<string, string>;
  agentEnvOf?: Partial<Record<StageAgent, Record<string, string>>>;
  orchestratorEnv?: Record<string, string>;
  /** The orchestrator's database; a fresh one of `faultDatabaseKind()` (dropped by `stop`) when absent. */
  database?: TestDatabase;
}

/**
 * The THREE_STAGES agents on simulators of the test's own, and an orchestrator sending them work. A
 * test that replaces a process (a restart after a kill) puts the new one here, for `work` and `stop`.
 */
export interface Stage {
  simulators: RunningSimulator[];
  agents: Record<StageAgent, ServiceProcess>;
  orchestrator: ServiceProcess;
  database: TestDatabase;
  /** What starts another orchestrator on the same agents (after a crash, or as a replica). */
  orchestratorEnv: Record<string, string>;
  /** Starts the agent again on its port (after a kill), with the same environment. */
  restartAgent: (agentType: StageAgent) => Promise<ServiceProcess>;
  /** The model work so far, at the simulators and the agents. */
  work: () => ReturnType<typeof modelWork>;
  /** Stops every process it started (agents by their current process), closes the simulators. */
  stop: () => Promise<void>;
}

export async function startStage(options: StageOptions = {}): Promise<Stage> {
  const simulators = await Promise.all(
    (options.simulatorPerAgent ? THREE_AGENTS : [THREE_AGENTS[0]]).map(() =>
      startSimulator({ tokensPerSecond: 20_000, ...options.simulator }),
    ),
  );
  const simulatorOf = (index: number) => simulators[Math.min(index, simulators.length - 1)] as RunningSimulator;
  const database = options.database ?? (await createTestDatabase(await faultDatabaseKind()));
  const started: ServiceProcess[] = [];
  try {
    const agentEnv = (agentType: StageAgent) => ({
      INFERENCE_BASE_URL: simulatorOf(THREE_AGENTS.indexOf(agentType)).url,
      ...options.agentEnv,
      ...options.agentEnvOf?.[agentType],
    });
    const processes = await Promise.all(
      THREE_AGENTS.map(async (agentType) => {
        const agent = await startService(agentType, agentEnv(agentType));
        started.push(agent);
        return agent;
      }),
    );
    const agents = Object.fromEntries(THREE_AGENTS.map((agentType, index) => [agentType, processes[index]])) as Record<
      StageAgent,
      ServiceProcess
    >;
    const orchestratorEnv = { ...(await stageAgentUrls(agents)), ...options.orchestratorEnv };
    const orchestrator = await startOrchestrator(database, orchestratorEnv);
    started.push(orchestrator);
    const stage: Stage = {
      simulators,
      agents,
      orchestrator,
      database,
      orchestratorEnv,
      work: () => modelWork(simulators, Object.values(stage.agents)),
      restartAgent: async (agentType) => {
        const port = String(stage.agents[agentType].port);
        stage.agents[agentType] = await startService(agentType, { ...agentEnv(agentType), PORT: port });
        return stage.agents[agentType];
      },
      stop: async () => {
        await Promise.all([stage.orchestrator, ...Object.values(stage.agents)].map((service) => service.stop()));
        await Promise.all(simulators.map((simulator) => simulator.close()));
        if (!options.database) await database.drop();
      },
    };
    return stage;
  } catch (error) {
    await Promise.all(started.map((service) => service.kill()));
    await Promise.all(simulators.map((simulator) => simulator.close()));
    if (!options.database) await database.drop();
    throw error;
  }
}

/** Waits until every task has ended (however long its retries take) and checks each against the oracle. */
export async function allEndedCorrectly(
  orchestrator: ServiceProcess,
  taskIds: readonly string[],
  timeoutMs = 60_000,
): Promise<Task[]> {
  const tasks = await Promise.all(taskIds.map((taskId) => finished(orchestrator, taskId, timeoutMs)));
  for (const task of tasks) expectEndedCorrectly(task);
  return tasks;
}

/** Posts `count` requests at once; each must be accepted. */
export async function orchestrateMany(orchestrator: ServiceProcess, count: number, description: string) {
  return Promise.all(Array.from({ length: count }, () => orchestrate(orchestrator, description)));
}

/**
 * Posts one request that a fault may refuse or cut: the task when it was accepted (201), undefined
 * when the answer never came or was a 503 problem asking to retry (the database out of reach).
 * Anything else fails the test.
 */
export async function tryOrchestrate(orchestrator: ServiceProcess, description: string): Promise<Task | undefined> {
  let response: Response;
  try {
    response = await fetch(`${orchestrator.url}/orchestrate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description, planner: "rules" }),
    });
  } catch {
    return undefined;
  }
  if (response.status === 201) return Task.parse(await response.json());
  expect(response.status, await response.text()).toBe(503);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(response.headers.get("retry-after")).toBe("1");
  return undefined;
}

/**
 * Keeps requests coming (one every `everyMs`, each allowed to be refused) while `fault` runs, and a
 * little after; answers the tasks that were accepted.
 */
export async function acceptedDuring(
  orchestrator: ServiceProcess,
  description: string,
  fault: () => Promise<void>,
  everyMs = 50,
): Promise<Task[]> {
  const posts: Promise<Task | undefined>[] = [];
  let faulting = true;
  const pacing = (async () => {
    while (faulting) {
      posts.push(tryOrchestrate(orchestrator, description));
      await delay(everyMs);
    }
  })();
  try {
    await fault();
  } finally {
    faulting = false;
    await pacing;
  }
  return (await Promise.all(posts)).filter((task): task is Task => task !== undefined);
}

/** Waits for `/ready` to answer 200 again, with nobody restarting anything. */
export function readyAgain(service: ServiceProcess, timeoutMs = 20_000): Promise<true> {
  return waitFor(async () => ((await fetch(`${service.url}/ready`)).status === 200 ? true : undefined), {
    timeoutMs,
    intervalMs: 100,
    what: `${service.name} /ready to answer 200`,
  });
}

type ModelWork = Awaited<ReturnType<typeof modelWork>>;

/**
 * No subtask's model work ran twice: each succeeded subtask was computed by exactly one execution
 * (a re-dispatch replays the agent's stored result), and the completed model calls are those the
 * results account for, plus at most the calls their caller abandoned mid-way (which a crash may
 * cut at the moment they complete). `executionsCounted: false` when an agent was restarted (its
 * counters started again): the completed calls then must match exactly.
 */
export function expectModelWorkOnce(
  before: ModelWork,
  after: ModelWork,
  tasks: readonly Task[],
  { executionsCounted = true } = {},
): void {
  if (executionsCounted) expect(after.executions - before.executions).toBe(subtasksIn(tasks, "succeeded").length);
  const extra = after.finished - before.finished - modelCallsOf(tasks);
  expect(extra).toBeGreaterThanOrEqual(0);
  expect(extra).toBeLessThanOrEqual(executionsCounted ? after.cancelled - before.cancelled : 0);
}
