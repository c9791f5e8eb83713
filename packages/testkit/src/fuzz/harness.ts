/**
 * The fuzz harness: every public POST endpoint gets generated, mutated and malformed requests
 * (bodies from the zod contracts' JSON Schemas), and every answer must be a 2xx or a 4xx in the
 * endpoint's error format. See `fuzzEndpoint`.
 */

// The arbitraries endpoints take (`parameterValues`, `bodyOverrides`) are fast-check's: one copy, through here.
export { default as fc } from "fast-check";
export { agentFuzzSuite, type FuzzSuite } from "./agent-suite.ts";
export type { FuzzEndpoint, OpenApiParameter } from "./endpoint.ts";
export { streamEndsWell } from "./event-stream.ts";
export { expectServing, type FuzzReport, fuzzEndpoint, fuzzRuns } from "./fuzz-endpoint.ts";
export { type Exchange, type FuzzRequest, send } from "./http-exchange.ts";
export { arbitraryFromSchema, type JsonSchema } from "./json-schema-arbitrary.ts";
export { endpointFromOpenApi, fetchOpenApi, postPathsOf } from "./openapi.ts";
export type { ErrorFormat } from "./oracle.ts";
export { type SimulatorProcess, startSimulatorProcess } from "./simulator-process.ts";
