import fc from "fast-check";
import { malformedRequests } from "./corpus.ts";
import { type FuzzEndpoint, requestArbitrary, validParts } from "./endpoint.ts";
import { type Exchange, type FuzzRequest, send } from "./http-exchange.ts";
import { answerFailure, describeExchange } from "./oracle.ts";

/** Requests in flight at once: enough to be quick and to interleave, not a load test. */
const BATCH = 8;

export interface FuzzReport {
  /** Requests sent: the corpus, then the generated ones. */
  sent: number;
  /** How many answers had each status. */
  statuses: Record<number, number>;
  /** Every 2xx answer, for checks that accepted work was kept. */
  accepted: Exchange[];
}

/**
 * How many generated requests an endpoint gets: `FUZZ_RUNS` when set (a bigger run before a
 * release, a smaller one on a slow machine), else `defaultRuns`.
 */
export function fuzzRuns(defaultRuns: number): number {
  const configured = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : defaultRuns;
}

// fast-check prints the seed and path of a failure; FUZZ_SEED and FUZZ_PATH replay it.
const replay = () => ({
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
});

/**
 * Sends the endpoint's fixed corpus once, then `runs` generated requests (valid-shaped, mutated,
 * oddly headed, broken JSON) in small concurrent batches, and checks every answer: a whole 2xx or a
 * 4xx in the endpoint's error format, never a 5xx, a reset or a timeout. Throws on the first bad
 * answer with the request that got it (and, for generated ones, fast-check's seed to replay it).
 */
export async function fuzzEndpoint(baseUrl: string, endpoint: FuzzEndpoint, runs: number): Promise<FuzzReport> {
  const report: FuzzReport = { sent: 0, statuses: {}, accepted: [] };
  const format = endpoint.errorFormat ?? "problem";
  const exchange = async (request: FuzzRequest) => {
    const answer = await send(baseUrl, request);
    report.sent += 1;
    report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
    if (answer.status >= 200 && answer.status < 300) report.accepted.push(answer);
    const failure = answerFailure(answer, format) ?? (answer.status < 300 ? endpoint.verify?.(answer) : undefined);
    if (failure) throw new Error(`POST ${endpoint.path}: ${describeExchange(answer, failure)}`);
  };
  const sendAll = async (requests: readonly FuzzRequest[]) => {
    const outcomes = await Promise.allSettled(requests.map(exchange));
    const failed = outcomes.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
  };

  const [sample] = fc.sample(validParts(endpoint), { numRuns: 1, seed: 1 });
  if (!sample) throw new Error(`no valid request could be generated for POST ${endpoint.path}`);
  const corpus = malformedRequests(endpoint, sample);
  for (let start = 0; start < corpus.length; start += BATCH) await sendAll(corpus.slice(start, start + BATCH));

  const batch = fc.tuple(...Array.from({ length: BATCH }, () => requestArbitrary(endpoint)));
  await fc.assert(
    fc.asyncProperty(batch, (requests) => sendAll(requests)),
    { numRuns: Math.ceil(runs / BATCH), ...replay() },
  );
  return report;
}

/** Fails unless `/health` and `/ready` answer 200: the service survived and its dependencies answer. */
export async function expectServing(baseUrl: string): Promise<void> {
  for (const probe of ["/health", "/ready"]) {
    const response = await fetch(`${baseUrl}${probe}`);
    if (response.status !== 200) {
      throw new Error(`GET ${probe} answered ${response.status} after fuzzing: ${await response.text()}`);
    }
  }
}
