import { z } from "zod";

export const ProblemField = z.object({
  field: z.string().meta({ description: "Dotted path of the offending field, e.g. `priority` or `subtasks.0.id`." }),
  message: z.string(),
  code: z.string(),
});
export type ProblemField = z.infer<typeof ProblemField>;

/** RFC 9457 problem details, the body of every 4xx and 5xx answer. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional().meta({ description: "The request id; quote it when reporting a problem." }),
    errors: z.array(ProblemField).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });
export type Problem = z.infer<typeof Problem>;
