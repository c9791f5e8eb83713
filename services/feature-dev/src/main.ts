import { runMain } from "@devtools/service-kit/serve";
import { start } from "./start.ts";

runMain(() => start({ env: process.env }));
