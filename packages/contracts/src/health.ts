import { z } from "zod";

export const HealthResponse = z
  .object({
    status: z.literal("ok"),
    service: z.string(),
    version: z.string(),
  })
  .meta({ id: "HealthResponse", description: "The process is up and serving HTTP." });
export type HealthResponse = z.infer<typeof HealthResponse>;

export const DependencyCheck = z.object({
  status: z.enum(["ok", "failed"]),
  latency_ms: z.number().nonnegative(),
  error: z.string().optional(),
});
export type DependencyCheck = z.infer<typeof DependencyCheck>;

export const ReadyResponse = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    service: z.string(),
    checks: z.record(z.string(), DependencyCheck),
  })
  .meta({ id: "ReadyResponse", description: "Whether every dependency of the service answers." });
export type ReadyResponse = z.infer<typeof ReadyResponse>;
