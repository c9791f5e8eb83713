import { readFileSync } from "node:fs";
import { SERVICE_NAMES } from "@devtools/contracts/services";
import { declaredSeries, parsePrometheusText } from "@devtools/testkit/prometheus-text";
import { type StackProcess, stackEnvironment, startStackProcess } from "@devtools/testkit/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPOSE_DIR, COMPOSE_FILES, readYaml } from "../src/compose/files.ts";

const OBSERVABILITY = `${COMPOSE_DIR}observability/`;

// --- What the code exports: every name on the /metrics of a running stack and its simulator -------

// --- What the configuration queries: the metric names in a PromQL expression --------------------

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan",
]);

/**
 * The metric names `expr` selects: identifiers left once strings, label matchers, grouping
 * clauses and ranges are taken out, that are neither functions (followed by `(`) nor keywords.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  return [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)]
    .map(([, name]) => name ?? "")
    .filter((name) => !PROMQL_WORDS.has(name.toLowerCase()));
}

/** Whether the brackets of `expr` pair up. */
function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const char of expr.replace(/"(?:[^"\\]|\\.)*"/g, "")) {
    if ("([{".includes(char)) stack.push(char);
    else if (char in pairs && stack.pop() !== pairs[char]) return false;
  }
  return stack.length === 0;
}

// --- The files ----------------------------------------------------------------------------------

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
}

const prometheus = readYaml(`${OBSERVABILITY}prometheus.yml`) as {
  rule_files?: string[];
  scrape_configs: { job_name: string }[];
};
const rules = readYaml(`${OBSERVABILITY}alerts.yml`) as { groups: { name: string; rules: AlertRule[] }[] };
const dashboard = JSON.parse(readFileSync(`${OBSERVABILITY}grafana/dashboards/devtools-overview.json`, "utf8")) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
};
const datasources = readYaml(`${OBSERVABILITY}grafana/provisioning/datasources/prometheus.yml`) as {
  datasources: { uid: string; type: string; url: string }[];
};
const compose = readYaml(COMPOSE_FILES.base) as { services: Record<string, { volumes?: string[] }> };

const alerts = rules.groups.flatMap((group) => group.rules);
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const alertsUsing = (name: string) => alerts.filter((rule) => metricNames(rule.expr).includes(name));

describe("metricNames", () => {
  it("finds the metrics of an expression and nothing else", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/health|a:b"}[5m]))) / on (job) vllm:num_requests_waiting > 0.5 and up == 0',
      ),
    ).toEqual(["http_request_duration_seconds_bucket", "vllm:num_requests_waiting", "up"]);
  });
});

describe("the alert rules", () => {
  it("are the rule file prometheus.yml loads, mounted where it looks", () => {
    expect(prometheus.rule_files).toEqual(["/etc/prometheus/alerts.yml"]);
    expect(compose.services.prometheus?.volumes).toContain("./observability/alerts.yml:/etc/prometheus/alerts.yml:ro");
  });

  it("have the Prometheus rule-file shape", () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    expect(new Set(rules.groups.map((group) => group.name)).size).toBe(rules.groups.length);
    for (const rule of alerts) {
      expect(Object.keys(rule).every((key) => ["alert", "expr", "for", "labels", "annotations"].includes(key))).toBe(
        true,
      );
      expect(rule.alert, rule.expr).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(typeof rule.expr).toBe("string");
      expect(balanced(rule.expr), rule.alert).toBe(true);
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smhdwy]$/);
      expect(["critical", "warning", "info"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
  });

  it("cover a service down, 5xx, failing subtasks, inference saturation and lease recoveries", () => {
    expect(alertsUsing("up").some((rule) => /==\s*0/.test(rule.expr))).toBe(true);
    expect(alertsUsing("http_requests_total").some((rule) => rule.expr.includes('status=~"5.."'))).toBe(true);
    expect(alertsUsing("orchestrator_subtasks_total").some((rule) => rule.expr.includes('outcome="failed"'))).toBe(
      true,
    );
    expect(alertsUsing("inference_queue_depth").some((rule) => rule.expr.includes("deriv("))).toBe(true);
    expect(alertsUsing("vllm:num_requests_waiting")).not.toHaveLength(0);
    expect(alertsUsing("orchestrator_lease_recoveries_total")).not.toHaveLength(0);
  });
});

describe("the Grafana dashboard", () => {
  const uid = datasources.datasources[0]?.uid;
  const content = dashboard.panels.filter((panel) => panel.type !== "row");

  it("queries the provisioned Prometheus data source from every panel", () => {
    expect(datasources.datasources[0]).toMatchObject({
      uid: "prometheus",
      type: "prometheus",
      url: "http://prometheus:9090",
    });
    expect(dashboard).toMatchObject({ uid: "devtools-overview", title: expect.any(String) });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    for (const panel of content) {
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe(uid);
        expect(balanced(target.expr), target.expr).toBe(true);
      }
    }
    for (const row of dashboard.panels.filter((panel) => panel.type === "row")) expect(row.targets).toBeUndefined();
  });

  it("lays its panels out on the 24-column grid without overlap, each with its own id", () => {
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const taken = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(taken.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          taken.add(`${x},${y}`);
        }
      }
    }
  });

  it("shows traffic, errors and latency, tasks and subtasks, tokens, inference load and vLLM", () => {
    const shown = new Set(queries.flatMap(metricNames));
    for (const name of [
      "up",
      "http_requests_total",
      "http_request_duration_seconds_bucket",
      "orchestrator_stored_tasks",
      "orchestrator_stored_subtasks",
      "orchestrator_tasks_finished_total",
      "orchestrator_subtasks_total",
      "orchestrator_subtask_duration_seconds_bucket",
      "orchestrator_tokens_total",
      "orchestrator_lease_recoveries_total",
      "inference_queue_depth",
      "inference_in_flight",
      "vllm:num_requests_running",
      "vllm:num_requests_waiting",
      "vllm:kv_cache_usage_perc",
    ]) {
      expect(shown, name).toContain(name);
    }
  });
});

// --- Every name queried exists on a running stack --------------------------------------------------

describe("the series the alerts and the dashboard query", () => {
  let stack: StackProcess | undefined;
  const exported = new Set<string>(["up"]); // Prometheus's own, per target

  beforeAll(async () => {
    const environment = await stackEnvironment();
    const { urls, simulatorPort } = environment;
    stack = await startStackProcess(environment);
    const targets = [...SERVICE_NAMES.map((name) => urls[name]), `http://127.0.0.1:${simulatorPort}`];
    for (const target of targets) {
      const response = await fetch(`${target}/metrics`);
      expect(response.status, target).toBe(200);
      for (const name of declaredSeries(parsePrometheusText(await response.text()))) exported.add(name);
    }
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("includes the vLLM series, as the simulator exposes them under vLLM's names", () => {
    for (const name of ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"]) {
      expect(exported).toContain(name);
    }
  });

  it.each(alerts.map((rule) => [rule.alert, rule.expr]))("alert %s queries only exported series", (_, expr) => {
    const names = metricNames(expr ?? "");
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(exported, `${name} in ${expr}`).toContain(name);
  });

  it("every dashboard panel queries only exported series", () => {
    for (const expr of queries) {
      const names = metricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${name} in ${expr}`).toContain(name);
    }
  });
});
