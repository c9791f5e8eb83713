import { z } from "zod";

/** The linear concern's variables. */
export const linearEnvironment = z.object({});
