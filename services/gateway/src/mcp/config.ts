import { z } from "zod";

/** The mcp concern's variables. */
export const mcpEnvironment = z.object({});
