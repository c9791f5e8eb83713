import { type CallToolResult, ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** What a tool call gets besides its arguments. */
export interface ToolCallContext {
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
  /** Sends `notifications/progress` for this call; undefined when the client sent no progress token. */
  progress: ((progress: number, total?: number, message?: string) => Promise<void>) | undefined;
}

/** A tool `/mcp` offers: its definition, built once, and what a call does. */
export interface GatewayTool {
  definition: Tool;
  call(args: Record<string, unknown> | undefined, context: ToolCallContext): Promise<CallToolResult>;
}

/**
 * A successful result: the value as structured content and, for clients that read only text, as
 * JSON text (`json` when the caller already holds it, as received from upstream), after `note`.
 */
export function structuredResult(
  value: object,
  options: { json?: string; note?: string | undefined } = {},
): CallToolResult {
  const text = options.json ?? JSON.stringify(value);
  return {
    content: options.note
      ? [
          { type: "text", text: options.note },
          { type: "text", text },
        ]
      : [{ type: "text", text }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** A tool error: the call reached the tool and failed; the message names the problem. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * The JSON Schema of a contract as a tool's input or output schema: draft-07 (what the SDK's
 * validators read) and self-contained, every `$ref` inlined, because several MCP clients do not
 * resolve references in tool schemas (one-item `allOf` wrappers are flattened too). The contracts have no recursive types, so inlining ends.
 */
export function toolSchemaOf(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const { definitions = {}, ...document } = z.toJSONSchema(schema, { io, target: "draft-7" }) as Record<
    string,
    unknown
  > & {
    definitions?: Record<string, unknown>;
  };
  return inlineReferences(document, definitions) as Tool["inputSchema"];
}

function inlineReferences(node: unknown, definitions: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineReferences(item, definitions));
  if (typeof node !== "object" || node === null) return node;
  const { $ref, ...rest } = node as Record<string, unknown>;
  let inlined = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, inlineReferences(value, definitions)]),
  );
  // zod wraps a referenced schema given a default in a one-item allOf: flatten it for simple clients.
  const { allOf, ...others } = inlined;
  if (Array.isArray(allOf) && allOf.length === 1) inlined = { ...(allOf[0] as Record<string, unknown>), ...others };
  if (typeof $ref !== "string" || !$ref.startsWith("#/definitions/")) return inlined;
  const target = inlineReferences(definitions[$ref.slice("#/definitions/".length)], definitions) as Record<
    string,
    unknown
  >;
  return { ...target, ...inlined };
}

/** The arguments parsed with the tool's contract schema, or the protocol's invalid-params error naming each field. */
export function parseArguments<Schema extends z.ZodType>(
  tool: string,
  schema: Schema,
  args: Record<string, unknown> | undefined,
): z.output<Schema> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => `${[...path, key].join(".")}: is not a known argument`);
    return [`${path.join(".") || "(arguments)"}: ${issue.message}`];
  });
  throw new McpError(ErrorCode.InvalidParams, `invalid arguments for ${tool}: ${problems.join("; ")}`);
}

interface ContractToolOptions<Input extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output?: z.ZodType;
  annotations?: Tool["annotations"];
  run: (input: z.output<Input>, context: ToolCallContext) => Promise<CallToolResult>;
}

/** A gateway-native tool whose input (and output) schemas are the contracts' zod schemas. */
export function contractTool<Input extends z.ZodType>(options: ContractToolOptions<Input>): GatewayTool {
  return {
    definition: {
      name: options.name,
      title: options.title,
      description: options.description,
      inputSchema: toolSchemaOf(options.input, "input"),
      ...(options.output ? { outputSchema: toolSchemaOf(options.output, "output") } : {}),
      ...(options.annotations ? { annotations: { title: options.title, ...options.annotations } } : {}),
    },
    call: (args, context) => options.run(parseArguments(options.name, options.input, args), context),
  };
}
