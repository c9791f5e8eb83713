import { randomUUID } from "node:crypto";
import { type ServiceProcess, startService } from "../process.ts";
import { streamEndsWell } from "./event-stream.ts";
import { expectServing, fuzzEndpoint } from "./fuzz-endpoint.ts";
import { send } from "./http-exchange.ts";
import { endpointFromOpenApi, fetchOpenApi, postPathsOf } from "./openapi.ts";
import { type SimulatorProcess, startSimulatorProcess } from "./simulator-process.ts";

/** A test framework's view of a fuzz suite: set up, tests with titles and time limits, tear down. */
export interface FuzzSuite {
  title: string;
  setUp: () => Promise<void>;
  tearDown: () => Promise<void>;
  tests: { title: string; timeoutMs: number; run: () => Promise<void> }[];
}

const AGENT_POST_PATHS = ["/execute", "/execute/stream"];

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * The fuzz suite every specialist agent runs, against a real process of it on a fast inference
 * simulator: both execute routes get `runs` generated subtasks each plus the malformed corpus, a
 * streamed answer must end in `result` or a 4xx `error` event, and the agent must still be ready and
 * answer a valid subtask (`description`, one the simulator's answer passes the agent's checks for) afterwards. (The five agents share one runtime, so they share this suite.)
 */
export function agentFuzzSuite(agent: string, { runs, description }: { runs: number; description: string }): FuzzSuite {
  let simulator: SimulatorProcess;
  let service: ServiceProcess;
  let document: Awaited<ReturnType<typeof fetchOpenApi>>;
  const endpoint = (path: string) =>
    endpointFromOpenApi(document, path, { bodyLimitBytes: 1024 * 1024, verify: streamEndsWell });

  return {
    title: `${agent} POST endpoints under fuzzing`,
    setUp: async () => {
      simulator = await startSimulatorProcess();
      service = await startService(agent, { INFERENCE_BASE_URL: simulator.url });
      document = await fetchOpenApi(`${service.url}/openapi.json`);
    },
    tearDown: async () => {
      await service?.stop();
      await simulator?.stop();
    },
    tests: [
      {
        title: "fuzzes every POST operation its openapi.json lists",
        timeoutMs: 5_000,
        run: async () => {
          const listed = postPathsOf(document).join(", ");
          check(
            listed === AGENT_POST_PATHS.join(", "),
            `openapi.json lists POST ${listed}; the suite fuzzes those only`,
          );
        },
      },
      ...AGENT_POST_PATHS.map((path) => ({
        title: `POST ${path}: ${runs} generated and malformed subtasks get 2xx or a problem+json 4xx (a stream ends in a result or a 4xx error event), never a 5xx`,
        timeoutMs: 120_000,
        run: async () => {
          const report = await fuzzEndpoint(service.url, endpoint(path), runs);
          check((report.statuses[200] ?? 0) > runs / 10, `too few subtasks ran: ${JSON.stringify(report.statuses)}`);
        },
      })),
      {
        title: "is still healthy and ready, and answers a valid subtask, after the fuzzing",
        timeoutMs: 30_000,
        run: async () => {
          await expectServing(service.url);
          const answer = await send(service.url, {
            kind: "valid",
            target: "/execute",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              subtask_id: randomUUID(),
              task_id: randomUUID(),
              description,
              idempotency_key: randomUUID(),
            }),
          });
          check(answer.status === 200, `a valid subtask got ${answer.status}: ${answer.body}`);
        },
      },
    ],
  };
}
