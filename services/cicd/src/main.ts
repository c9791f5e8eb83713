import { runMain, startTelemetry } from "@devtools/service-kit/serve";
import { start } from "./start.ts";

runMain(async () => {
  // Before the service: its first requests and queries are traced when OTEL_* asks for it.
  await startTelemetry({ service: "cicd", env: process.env });
  return start({ env: process.env });
});
