// BENCHMARKS.md from the benchmarks' stored results: a header (date, commit, command), every goal with
// met / not met, the machine, and a section per benchmark with its anchor side by side and its method.

import { machineTable } from "./machine.mjs";
import { goalTable, table } from "./markdown.mjs";
import { describeRevision } from "./revision.mjs";
import { http } from "./sections/http.mjs";
import { inference } from "./sections/inference.mjs";
import { load } from "./sections/load.mjs";
import { mcpGateway } from "./sections/mcp-gateway.mjs";
import { orchestration } from "./sections/orchestration.mjs";

/** The benchmarks, in the order `npm run bench` runs them and BENCHMARKS.md shows them. */
export const SECTIONS = [http, inference, mcpGateway, orchestration, load];

const day = (iso) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");
const sameMachine = (a, b) => ["CPU", "Memory", "Kernel"].every((key) => a?.[key] === b?.[key]);

/** The line under a section's title: when and from which code its figures come, and how the run went. */
function provenance(result, current) {
  const { run } = result;
  const lines = [
    `Measured ${day(run.startedAt)} from commit ${describeRevision(run.revision)} in ${Math.round(run.seconds)} s` +
      `${run.exitCode === 0 ? "" : `; **the benchmark exited with code ${run.exitCode}**`}.`,
  ];
  if (run.quick) lines.push("**Short run (`BENCH_QUICK=1`): the figures only show that the benchmark works.**");
  if (result.failedRun)
    lines.push(
      `**Its latest run, ${day(result.failedRun.startedAt)}, failed (exit code ${result.failedRun.exitCode}) before writing figures; these are the previous run's.**`,
    );
  if (!sameMachine(run.machine, current))
    lines.push(`Measured on another machine than the one above:\n\n${machineTable(run.machine)}`);
  return lines.join("\n\n");
}

function section(definition, result, current) {
  const heading = `## ${definition.title}`;
  if (!result?.run) {
    const failure = result?.failedRun ? ` Its latest run failed (exit code ${result.failedRun.exitCode}).` : "";
    return `${heading}\n\nNo figures yet: run \`BENCH_ONLY=${definition.name} npm run bench\`.${failure}\n`;
  }
  return [
    heading,
    provenance(result, current),
    goalTable(definition.goals(result)),
    definition.render(result).trim(),
  ].join("\n\n");
}

/** The whole of BENCHMARKS.md. */
export function benchmarksDocument(results, { machine, revision }) {
  const measured = SECTIONS.filter((definition) => results[definition.name]?.run);
  const goals = measured.flatMap((definition) =>
    definition
      .goals(results[definition.name])
      .map((goal) => [definition.name, goal.issue, goal.target, goal.measured, goal.met ? "**met**" : "**not met**"]),
  );
  const quick = measured.some((definition) => results[definition.name].run.quick);
  return `# Benchmarks

<!-- Written by \`npm run bench\` (bench/report/benchmarks.mjs). Do not edit: every figure comes from the run that wrote it. -->

Written ${day(new Date().toISOString())} from commit ${describeRevision(revision)} by \`npm run bench\`, which runs every
benchmark under \`bench/\` and writes this file from their results (\`.data/bench/*.json\`). Each section says when its
figures were measured; a fresh run on the same machine should match them within the noise the method sections describe.
${quick ? "\n**Some sections come from short runs (`BENCH_QUICK=1`): their figures show that the pipeline works, not what the platform does.**\n" : ""}
## Goals

${table(["benchmark", "issue", "goal", "measured", "result"], goals)}

## Machine

${machineTable(machine)}

Everything runs on this one machine: the servers under test, PostgreSQL, the load generator and the benchmark
itself share its cores, which is why every comparison is made in the same run, on the same machine, against an
anchor measured the same way, and why the CPU columns are there: a run where "other" is high had company.

## How to run

\`\`\`sh
npm run bench                          # every benchmark with the issues' numbers, then this file (about 10 minutes)
BENCH_ONLY=http,load npm run bench     # some of them; the others keep their latest figures (and dates)
BENCH_QUICK=1 npm run bench            # short durations, to check that everything works
node bench/<name>.mjs [--json <file>]  # one benchmark on its own, human output (and its figures as JSON)
\`\`\`

They need PostgreSQL on 127.0.0.1:5432 (trust auth, user \`postgres\`; or \`BENCH_POSTGRES_URL\`), and for the FastAPI
anchors Debian's \`python3-fastapi\`, \`python3-uvicorn\` and \`python3-asyncpg\` for \`/usr/bin/python3\` (or
\`BENCH_PYTHON\`). Each benchmark starts what it measures as separate processes on free ports, creates fresh
databases and drops them at the end, has a watchdog, and kills its children however it ends.

${SECTIONS.map((definition) => section(definition, results[definition.name], machine)).join("\n\n")}
`;
}
