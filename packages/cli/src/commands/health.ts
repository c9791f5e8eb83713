import { SERVICE_NAMES } from "@devtools/contracts/services";
import { type Command, parseCommandArgs } from "../cli/command.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { checkService, type ServiceHealth } from "../health/check-service.ts";
import { renderTable } from "../render/table.ts";

const NAME = "health";
const OPTIONS = {
  url: { type: "string" },
  "via-gateway": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
} as const;

export const healthCommand: Command = {
  name: NAME,
  summary: "a table of the seven services: health, readiness, version, latency",
  help: `Usage: devtools health [options]

Asks each of the seven services for /health and /ready and shows a table: whether it is up,
whether its dependencies answer (database, inference backend), its version and its latency.
Each service is found at its own variable, as the services find each other: MCP_GATEWAY_URL
(or DEVTOOLS_URL), ORCHESTRATOR_URL, FEATURE_DEV_URL, CODE_REVIEW_URL, INFRASTRUCTURE_URL,
CICD_URL, DOCUMENTATION_URL; unset, localhost on ports 8000 to 8006.

Options:
  --url <url>       the gateway (default: DEVTOOLS_URL, else MCP_GATEWAY_URL, else http://localhost:8000)
  --via-gateway     reach the internal services through the gateway's /api/<service> proxy (with
                    DEVTOOLS_API_KEY), for a deployment where only the gateway is published
  --json            the results as JSON
  -h, --help        this help

Exit status: 0 every service is up and ready; 1 some are down or not ready; 3 none answers.`,

  async run(argv, { env, terminal }) {
    const { values } = parseCommandArgs(NAME, argv, OPTIONS, { min: 0, max: 0, names: "" });
    const gateway = (values.url ?? env.gatewayUrl).replace(/\/+$/, "");
    const authorization = env.apiKey ? `Bearer ${env.apiKey}` : undefined;
    const results = await Promise.all(
      SERVICE_NAMES.map((service) => {
        if (service === "gateway") return checkService(service, gateway, undefined);
        const url = values["via-gateway"] ? `${gateway}/api/${service}` : env.serviceUrls[service];
        return checkService(service, url, values["via-gateway"] ? authorization : undefined);
      }),
    );
    if (values.json) terminal.out(`${JSON.stringify(results, null, 2)}\n`);
    else terminal.out(`${renderHealth(terminal, results)}\n`);
    const down = results.filter((result) => !result.up);
    if (down.length === results.length) {
      terminal.err(
        `no service answers (${gateway} and the others above): is the stack running? Start it with \`npm start\`, or point DEVTOOLS_URL and the *_URL variables at it.\n`,
      );
      return ExitCode.unreachable;
    }
    return down.length === 0 && results.every((result) => result.ready === true) ? ExitCode.ok : ExitCode.failed;
  },
};

function renderHealth(terminal: Parameters<Command["run"]>[1]["terminal"], results: ServiceHealth[]): string {
  const rows = results.map((result) => [
    result.service,
    result.url,
    result.up ? "up" : "down",
    result.ready === undefined ? "-" : result.ready ? "ready" : "not ready",
    result.version ?? "-",
    result.latency_ms === undefined ? "-" : `${result.latency_ms} ms`,
    result.problem ?? "",
  ]);
  const table = renderTable(
    ["SERVICE", "URL", "HEALTH", "READY", "VERSION", "LATENCY", "PROBLEM"],
    rows,
    (cell, row, column) => {
      const result = results[row];
      if (!result) return cell;
      if (column === 2) return terminal.paint(result.up ? "green" : "red", cell);
      if (column === 3 && result.ready !== undefined) return terminal.paint(result.ready ? "green" : "yellow", cell);
      if (column === 6) return terminal.paint(result.up ? "yellow" : "red", cell);
      return cell;
    },
  );
  const down = results.filter((result) => !result.up).map((result) => result.service);
  const notReady = results.filter((result) => result.up && result.ready !== true).map((result) => result.service);
  const verdict =
    down.length === 0 && notReady.length === 0
      ? terminal.paint("green", `all ${results.length} services up and ready`)
      : [
          down.length > 0 ? terminal.paint("red", `${down.length} down: ${down.join(", ")}`) : "",
          notReady.length > 0 ? terminal.paint("yellow", `${notReady.length} not ready: ${notReady.join(", ")}`) : "",
        ]
          .filter(Boolean)
          .join("; ");
  return `${table}\n\n${verdict}`;
}
