import { startAgent } from "@devtools/agent-runtime/start";
import type { StartOptions } from "@devtools/service-kit/serve";
import pkg from "../package.json" with { type: "json" };
import { definition } from "./definition.ts";

export const start = (options: StartOptions) => startAgent(definition, pkg.version, options);
