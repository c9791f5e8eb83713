import { parseAllDocuments } from "yaml";

/** A YAML stream's documents as plain values, or the syntax errors that stop it from parsing. */
export type ParsedYaml = { ok: true; documents: unknown[] } | { ok: false; problems: string[] };

/** Parses every document of a YAML stream (`---`-separated); empty documents are left out. */
export function parseYaml(content: string): ParsedYaml {
  if (content.trim() === "") return { ok: false, problems: ["is empty"] };
  const documents = parseAllDocuments(content, { prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const problems = list.flatMap((document) =>
    document.errors.map((error) => {
      // Pretty messages end their first line with the place, then quote the source; the place leads here.
      const message = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:$/, "");
      const position = error.linePos?.[0];
      return position
        ? `YAML syntax error at line ${position.line}, column ${position.col}: ${message}`
        : `YAML syntax error: ${message}`;
    }),
  );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    documents: list.filter((document) => document.contents !== null).map((document) => document.toJS() as unknown),
  };
}

/** The content parses as YAML. */
export function yamlProblems(content: string): string[] {
  const parsed = parseYaml(content);
  return parsed.ok ? [] : parsed.problems;
}
