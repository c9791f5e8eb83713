// RELIABILITY.md from vitest's JSON reports of the fuzz, fault and security tests: a header (date,
// commit, machine, command, totals), then per kind, per file, each test with its result and duration.

import { relative } from "node:path";
import { oneLine, table } from "./markdown.mjs";
import { describeRevision } from "./revision.mjs";

const KIND_TITLES = {
  fuzz: [
    "Fuzz tests",
    "Property-based tests: generated inputs, many per property, checked against an invariant. A failure prints the shrunk counterexample and the seed that replays it.",
  ],
  faults: [
    "Fault tests",
    "Faults injected into a running system — processes killed, connections cut, backends failing or slow, the database away — and what must still hold.",
  ],
  security: [
    "Security tests",
    "Hostile callers and input — missing or forged credentials, injection, oversized or malformed bodies, internal addresses — and the refusal each must get.",
  ],
};

/** Why a test was skipped, when its title or a `describe` above it says so ("… (needs shellcheck)"). */
function skipReason(test) {
  for (const title of [test.title, ...[...test.ancestorTitles].reverse()]) {
    const match = /\(((?:needs|requires|only|skipped)[^)]*)\)/i.exec(title ?? "");
    if (match) return match[1];
  }
  return undefined;
}

const firstLine = (text) =>
  (text ?? "")
    .split("\n")
    .find((line) => line.trim().length > 0)
    ?.trim() ?? "";

function resultCell(test) {
  if (test.status === "passed") return "passed";
  if (test.status === "failed") return `**failed**: ${firstLine(test.failureMessages[0]).slice(0, 200)}`;
  const reason = skipReason(test);
  return `skipped${test.status === "todo" ? " (todo)" : ""}${reason ? ` (${reason})` : ""}`;
}

const duration = (ms) =>
  Number.isFinite(ms) ? (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`) : "—";
const kindOf = (path) => /\/test\/(fuzz|faults|security)\//.exec(path)?.[1];

/** `{ text, totals }`: the document for the runs of `packages` (see reliability.mjs), and its counts. */
export function reliabilityDocument(packages, { startedAt, machine, revision, root }) {
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
  const files = packages.flatMap((pkg) => pkg.files.map((file) => ({ ...file, path: relative(root, file.name) })));
  for (const file of files) {
    totals.files += 1;
    for (const test of file.assertionResults) {
      if (test.status === "passed") totals.passed += 1;
      else if (test.status === "failed") totals.failed += 1;
      else totals.skipped += 1;
    }
    // A file that failed without a failing test (it did not load, a hook threw) counts as one failure.
    if (file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")) totals.failed += 1;
  }
  const broken = packages.filter((pkg) => pkg.error);
  totals.failed += broken.length;
  const seconds = packages.reduce((sum, pkg) => sum + pkg.seconds, 0);

  const sections = Object.entries(KIND_TITLES).map(([kind, [title, what]]) => {
    const ofKind = files.filter((file) => kindOf(file.path) === kind).sort((a, b) => a.path.localeCompare(b.path));
    if (ofKind.length === 0)
      return `## ${title}\n\n${what}\n\nNone found (no \`test/${kind}/\` folder in any package).`;
    const parts = ofKind.map((file) => {
      const fileError =
        file.status === "failed" && file.message ? `\n\n**The file failed**: ${oneLine(firstLine(file.message))}` : "";
      const rows = file.assertionResults.map((test) => [
        test.ancestorTitles.join(" › ") || "—",
        test.title,
        resultCell(test),
        duration(test.duration),
      ]);
      const body =
        rows.length > 0 ? table(["describe", "test: what it proves", "result", "duration"], rows) : "No tests.";
      return `### \`${file.path}\`\n\n${body}${fileError}`;
    });
    return [`## ${title}`, what, ...parts].join("\n\n");
  });

  const day = startedAt
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  const facts = ["CPU", "Memory", "Kernel", "Node", "PostgreSQL"].map((label) => `${label}: ${machine[label]}`);
  const text = `# Reliability

<!-- Written by \`npm run reliability\` (bench/report/reliability.mjs). Do not edit: rerun it. -->

Every fuzz, fault and security test in the repository (\`test/fuzz/\`, \`test/faults/\` and \`test/security/\` of every
workspace package), what each one proves — its title says it — and its result in the run that wrote this file.

- **Run**: ${day}, from commit ${describeRevision(revision)}, with \`npm run reliability\` (vitest, JSON reporter), ${Math.round(seconds)} s
- **Result**: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped, in ${totals.files} files of ${packages.length} packages (${packages.map((pkg) => `\`${pkg.dir}\``).join(", ") || "none"})
- **Machine**: ${facts.join("; ")}
${broken.map((pkg) => `- **\`${pkg.dir}\` did not run**: ${oneLine(pkg.error)}`).join("\n")}
A skipped test shows its reason when its title or a \`describe\` above it names one ("(needs …)"); tests that skip for
want of a tool fail instead when \`CI\` is set.

${sections.join("\n\n")}
`;
  return { text: text.replace(/\n{3,}/g, "\n\n"), totals };
}
