import { Problem } from "@devtools/contracts/problem";

/** A documented problem+json answer. */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});
