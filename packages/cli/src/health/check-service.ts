import { HealthResponse, ReadyResponse } from "@devtools/contracts/health";
import type { ServiceName } from "@devtools/contracts/services";
import { connectionFailureOf, HttpClient } from "../api/http-client.ts";

/** What `devtools health` found out about one service. */
export interface ServiceHealth {
  service: ServiceName;
  url: string;
  /** `/health` answered 200 as a devtools service. */
  up: boolean;
  /** `/ready`'s verdict; undefined when the service is down or did not say. */
  ready: boolean | undefined;
  version: string | undefined;
  /** Round trip of `/health`, in ms. */
  latency_ms: number | undefined;
  /** Why it is down, or which dependencies fail. */
  problem: string | undefined;
}

const HEALTH_TIMEOUT_MS = 3_000;
// The service gives each readiness probe 2 s.
const READY_TIMEOUT_MS = 5_000;

async function getJson(client: HttpClient, path: string, timeoutMs: number) {
  const answer = await client.send("GET", path, { headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
  const text = await answer.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: answer.statusCode, json };
}

const reason = (error: unknown) => connectionFailureOf(error) ?? (error as Error).message;

/** Asks one service's `/health` and `/ready`; never rejects: a failure is part of the answer. */
export async function checkService(
  service: ServiceName,
  url: string,
  authorization: string | undefined,
): Promise<ServiceHealth> {
  const client = new HttpClient({ baseUrl: url, name: service, howToChange: "", authorization });
  const result: ServiceHealth = {
    service,
    url,
    up: false,
    ready: undefined,
    version: undefined,
    latency_ms: undefined,
    problem: undefined,
  };
  try {
    const started = performance.now();
    const health = await getJson(client, "/health", HEALTH_TIMEOUT_MS).catch((error: unknown) => {
      throw new Error(reason(error));
    });
    result.latency_ms = Math.round(performance.now() - started);
    const parsed = HealthResponse.safeParse(health.json);
    if (health.status !== 200 || !parsed.success) {
      result.problem = `/health answered ${health.status}${parsed.success ? "" : " without a devtools health document"}`;
      return result;
    }
    if (parsed.data.service !== service) {
      result.problem = `this URL serves ${parsed.data.service}, not ${service}`;
      return result;
    }
    result.up = true;
    result.version = parsed.data.version;
    const ready = await getJson(client, "/ready", READY_TIMEOUT_MS).catch((error: unknown) => {
      throw new Error(`/ready: ${reason(error)}`);
    });
    const readiness = ReadyResponse.safeParse(ready.json);
    if (!readiness.success) {
      result.problem = `/ready answered ${ready.status} without a readiness document`;
      return result;
    }
    result.ready = readiness.data.status === "ready";
    const failing = Object.entries(readiness.data.checks).filter(([, check]) => check.status === "failed");
    if (failing.length > 0) {
      result.problem = failing.map(([name, check]) => `${name}: ${check.error ?? "failed"}`).join("; ");
    }
    return result;
  } catch (error) {
    result.problem = (error as Error).message;
    return result;
  } finally {
    await client.close();
  }
}
