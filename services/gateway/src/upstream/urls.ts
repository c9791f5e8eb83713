import { SERVICES, type ServiceName } from "@devtools/contracts/services";
import type { z } from "zod";
import type { upstreamEnvironment } from "./config.ts";

export type UpstreamName = Exclude<ServiceName, "gateway">;

/** Each internal service's base URL: its variable, else localhost on its fixed port. */
export function upstreamUrlsFrom(config: z.infer<typeof upstreamEnvironment>): Record<UpstreamName, string> {
  const urls = {} as Record<UpstreamName, string>;
  for (const [name, { port, urlVariable }] of Object.entries(SERVICES)) {
    if (name === "gateway") continue;
    const configured = config[urlVariable as keyof typeof config];
    urls[name as UpstreamName] = (configured ?? `http://localhost:${port}`).replace(/\/$/, "");
  }
  return urls;
}
