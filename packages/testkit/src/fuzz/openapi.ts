import type { FuzzEndpoint, OpenApiParameter } from "./endpoint.ts";
import type { JsonSchema } from "./json-schema-arbitrary.ts";

type Operation = {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};
type OpenApiDocument = JsonSchema & { paths?: Record<string, Record<string, Operation>> };

/** A service's `GET /openapi.json` (through `headers`, e.g. an API key when it sits behind the gateway). */
export async function fetchOpenApi(url: string, headers: Record<string, string> = {}): Promise<OpenApiDocument> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

/** Every POST path the document lists, sorted: what a fuzz suite must cover. */
export function postPathsOf(document: OpenApiDocument): string[] {
  return Object.entries(document.paths ?? {})
    .filter(([, operations]) => operations.post !== undefined)
    .map(([path]) => path)
    .sort();
}

/**
 * The POST operation at `path` as a fuzz endpoint: its JSON body schema and parameters from the
 * document (mounted under `prefix`, e.g. `/api/orchestrator` behind the gateway), plus `extra`.
 */
export function endpointFromOpenApi(
  document: OpenApiDocument,
  path: string,
  extra: Partial<FuzzEndpoint> = {},
  prefix = "",
): FuzzEndpoint {
  const operation = document.paths?.[path]?.post;
  if (!operation) throw new Error(`the OpenAPI document lists no POST ${path}`);
  const content = operation.requestBody?.content ?? {};
  const body = Object.entries(content).find(([type]) => type.includes("json"))?.[1]?.schema;
  return {
    path: `${prefix}${path}`,
    root: document,
    parameters: operation.parameters ?? [],
    ...(body ? { body } : {}),
    ...extra,
  };
}
